package dev.mailroot.server.outbound;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/** A self-signed certificate made with the JDK's keytool, as a server context and as a client trust anchor. */
final class TestCertificates {
    private static final char[] PASS = "changeit".toCharArray();
    private final KeyStore store;

    private TestCertificates(KeyStore store) {
        this.store = store;
    }

    /** A new EC key and certificate for {@code CN=cn}, with {@code san} ({@code dns:localhost}) as its names. */
    static TestCertificates generate(Path dir, String cn, String san) throws IOException, InterruptedException, GeneralSecurityException {
        Path ks = dir.resolve(cn + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "peer", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + cn, "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore k = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            k.load(in, PASS);
        }
        return new TestCertificates(k);
    }

    /** The server side: presents the certificate. */
    SSLContext serverContext() throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(store, PASS);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf.getKeyManagers(), null, null);
        return c;
    }

    /** The client side: trusts only this certificate. */
    SSLContext trustingContext() throws GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try {
            trust.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        trust.setCertificateEntry("peer", store.getCertificate("peer"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    /** A server context without any certificate: every handshake fails. */
    static SSLContext brokenServerContext() throws GeneralSecurityException {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, null, null);
        return c;
    }
}
