package dev.mailroot.server.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Makes the self-signed certificate a server without {@code tls.cert} presents: an EC P-256 key
 * and a ten-year certificate for the server's host name, made by the JDK's own {@code keytool}
 * (the JDK has no public API for it) and written as two PEM files, so an administrator can look at
 * them with the same tools as a real pair, and replace them.
 */
final class SelfSignedCertificate {
    static final String CERT = "selfsigned-cert.pem";
    static final String KEY = "selfsigned-key.pem";

    private SelfSignedCertificate() {
    }

    /**
     * Writes {@code selfsigned-cert.pem} and {@code selfsigned-key.pem} (readable by the owner only)
     * into {@code folder}.
     *
     * @throws IOException if keytool is missing or fails; the message says which and why
     */
    static void generate(Path folder, String hostname) throws IOException {
        Files.createDirectories(folder);
        Path store = Files.createTempFile(folder, ".selfsigned", ".p12");
        Files.delete(store); // keytool refuses to write into an empty file
        String pass = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        try {
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "mailroot", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=" + hostname, "-ext", "SAN=dns:" + hostname,
                    "-validity", "3650", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", pass)
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(keytool + " failed: " + (output.isEmpty() ? "no output" : output.lines().findFirst().orElse("")));
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, pass.toCharArray());
            }
            PrivateKey key = (PrivateKey) ks.getKey("mailroot", pass.toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate("mailroot");
            write(folder.resolve(KEY), PemFiles.pem(key), true);
            write(folder.resolve(CERT), PemFiles.pem(cert), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read what keytool wrote: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(store);
        }
    }

    private static void write(Path file, String text, boolean secret) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the folder's permissions protect it
            }
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
