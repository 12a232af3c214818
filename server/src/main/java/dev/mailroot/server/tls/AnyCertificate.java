package dev.mailroot.server.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

/**
 * A client-side TLS context that accepts any server certificate: for opportunistic STARTTLS to other
 * MTAs (it protects against passive listeners only) and for the doctor, which inspects the
 * certificate itself and must not have the handshake refuse it first.
 */
public final class AnyCertificate extends X509ExtendedTrustManager {
    private AnyCertificate() {
    }

    /** A new TLS context trusting any certificate. */
    public static SSLContext context() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new X509ExtendedTrustManager[] {new AnyCertificate()}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
