package dev.mailroot.server.console;

import org.springframework.security.crypto.bcrypt.BCrypt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may log in to the console: whoever holds the admin token ({@code mailroot/admin.token}, what
 * the command-line tools send) or the admin password, whose bcrypt hash {@code bin/mailroot
 * admin-password} writes to {@code mailroot/admin.password} (read at each login, so a new password
 * works at once, and deleting the file turns password logins off).
 */
public final class Credentials {
    private final byte[] token;
    private final Path passwordFile;

    public Credentials(String token, Path passwordFile) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.passwordFile = passwordFile;
    }

    /** "admin token" if {@code secret} is the token, else empty (no password check). */
    Optional<String> token(String secret) {
        return MessageDigest.isEqual(token, secret.strip().getBytes(StandardCharsets.UTF_8)) && !secret.isBlank()
                ? Optional.of("admin token") : Optional.empty();
    }

    /** How {@code secret} logs in ("admin token", "admin password"), or empty if it does not. */
    Optional<String> check(String secret) {
        String s = secret.strip();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        if (MessageDigest.isEqual(token, s.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("admin token");
        }
        String hash;
        try {
            hash = Files.isRegularFile(passwordFile) ? Files.readString(passwordFile, StandardCharsets.US_ASCII).strip() : null;
        } catch (IOException e) {
            hash = null;
        }
        if (hash != null && hash.startsWith("$2") && secret.getBytes(StandardCharsets.UTF_8).length <= 72) {
            try {
                if (BCrypt.checkpw(secret, hash)) {
                    return Optional.of("admin password");
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // a damaged hash file logs nobody in
            }
        }
        return Optional.empty();
    }
}
