package dev.mailroot.server.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The admin endpoint's secret, {@code mailroot/admin.token}: 32 random bytes in base64url, made at
 * the first start and kept. The file is created with mode 0600 from its first byte (never
 * readable by others, even for a moment) and renamed into place; whoever can read it may use the
 * endpoint, as its owner can read the server's files anyway.
 */
public final class AdminToken {
    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final int BYTES = 32;

    private AdminToken() {
    }

    /**
     * The token in {@code file}, made first if the file is missing. A file that others may read, or
     * that holds no token, is replaced by a new token (the old one may have leaked).
     * Call it with the spool lock held (one server per home).
     */
    public static String ensure(Path file) throws IOException {
        String current = read(file);
        if (current != null) {
            if (!ownerOnly(file)) {
                log.warn("MR1023 {} could be read by other users; it is replaced by a new token (scripts holding the old one get 401)", file);
            } else if (!current.matches("[A-Za-z0-9_-]{43}")) {
                log.warn("MR1023 {} does not hold a token; it is replaced by a new one", file);
            } else {
                return current;
            }
        }
        String token = create(file);
        log.info("MR1022 created the admin token {} (mode 0600): bin/mailroot sends it; curl -H \"Authorization: Bearer $(cat {})\"",
                file, file);
        return token;
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static boolean ownerOnly(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        return posix == null || OWNER_ONLY.containsAll(posix.readAttributes().permissions());
    }

    private static String create(Path file) throws IOException {
        byte[] random = new byte[BYTES];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        writeSecret(file, token + "\n");
        return token;
    }

    /** Writes {@code text} to {@code file}, mode 0600 from its creation, durably and atomically (the token, the admin password's hash). */
    static void writeSecret(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                ownerOnlyAttribute(file))) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create " + tmp + ": it appeared while being created (another server on this home?)", e);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** 0600 at creation (the umask can only remove bits); nothing on a file system without POSIX modes. */
    private static FileAttribute<?>[] ownerOnlyAttribute(Path file) throws IOException {
        boolean posix = Files.getFileStore(file.getParent()).supportsFileAttributeView(PosixFileAttributeView.class);
        return posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
    }
}
