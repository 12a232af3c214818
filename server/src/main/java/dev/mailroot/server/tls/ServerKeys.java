package dev.mailroot.server.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * The server's certificate and key for every TLS listener, reloaded without a restart: each
 * handshake first looks at the files' modification times and sizes, and when they changed the new
 * pair is read and used from that handshake on. A pair that does not read well (half written, a
 * key that does not match) is reported ({@code MR1203}) and the last good one stays in force.
 *
 * <p>Without configured files, a self-signed certificate is made at the first handshake (not at
 * start: a server that never sees STARTTLS never pays for it) into {@code mailroot/tls/}, with a
 * warning ({@code MR1201}), and reused by later starts.
 *
 * <p>One {@link SSLContext} is built once around a key manager that asks this object; only
 * TLS 1.3 and 1.2 are enabled on the sockets it makes. Thread-safe.
 */
public final class ServerKeys {
    private static final Logger log = LoggerFactory.getLogger(ServerKeys.class);
    /** The protocols offered; TLS 1.0 and 1.1 are refused (RFC 8996). */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final Path certFile;
    private final Path keyFile;
    /** Where the self-signed pair is made, or null when files are configured. */
    private final Path selfSignedFolder;
    private final String hostname;
    private final SSLContext context;
    private volatile Loaded current;
    /** The previous pair, for a handshake that chose its alias just before a reload. */
    private volatile Loaded previous;
    /** The files' stamp that failed to read last, so a bad pair is reported once, not at every handshake. */
    private volatile Object failedStamp;
    private int generation;

    private record Loaded(String alias, X509ExtendedKeyManager keys, Object stamp, X509Certificate leaf) {
    }

    private ServerKeys(Path certFile, Path keyFile, Path selfSignedFolder, String hostname) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.selfSignedFolder = selfSignedFolder;
        this.hostname = hostname;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new Delegate()}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS", e);
        }
    }

    /**
     * The configured pair, read now.
     *
     * @throws IOException with a one-line message if the files cannot be read or do not match
     */
    public static ServerKeys fromFiles(Path certFile, Path keyFile) throws IOException {
        ServerKeys k = new ServerKeys(certFile, keyFile, null, null);
        synchronized (k) {
            k.current = k.load(k.stamp());
        }
        log.info("MR1202 TLS certificate {} (expires {}) loaded from {}", k.current.leaf().getSubjectX500Principal().getName(),
                k.current.leaf().getNotAfter().toInstant(), certFile);
        return k;
    }

    /** A self-signed pair for {@code hostname} in {@code folder}: read from there, or made at the first handshake. */
    public static ServerKeys selfSigned(Path folder, String hostname) {
        return new ServerKeys(folder.resolve(SelfSignedCertificate.CERT), folder.resolve(SelfSignedCertificate.KEY), folder, hostname);
    }

    /** Wraps an accepted connection for TLS as its server side (STARTTLS, or an implicit-TLS listener). */
    public SSLSocket serverSide(Socket plain) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain,
                plain.getInetAddress() == null ? null : plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        s.setUseClientMode(false);
        s.setEnabledProtocols(PROTOCOLS);
        return s;
    }

    /** The certificate presented now (the last good one), or null before the first (self-signed) one is made. */
    public X509Certificate certificate() {
        Loaded l = current;
        return l == null ? null : l.leaf();
    }

    /** The pair in force, reloaded first if the files changed (or made, for a self-signed one). */
    private Loaded refreshed() {
        Object stamp = stamp();
        Loaded l = current;
        if (l != null && Objects.equals(l.stamp(), stamp) || stamp != null && stamp.equals(failedStamp)) {
            return l;
        }
        synchronized (this) {
            stamp = stamp();
            l = current;
            if (l != null && Objects.equals(l.stamp(), stamp) || stamp != null && stamp.equals(failedStamp)) {
                return l;
            }
            try {
                if (selfSignedFolder != null && (!Files.exists(certFile) || !Files.exists(keyFile))) {
                    if (l != null) {
                        return l; // removed while running: keep it; the next start makes a new one
                    }
                    SelfSignedCertificate.generate(selfSignedFolder, hostname);
                    stamp = stamp();
                    log.warn("MR1201 no TLS certificate is configured: made a self-signed one for {} in {}; clients that "
                            + "check certificates will not trust it. Set tls.cert and tls.key in conf/mailroot.yaml to a "
                            + "certificate for this host (docs/security.md)", hostname, certFile);
                }
                Loaded fresh = load(stamp);
                previous = l;
                current = fresh;
                failedStamp = null;
                if (l != null || selfSignedFolder != null) {
                    log.info("MR1202 TLS certificate {} (expires {}) loaded from {}", fresh.leaf().getSubjectX500Principal().getName(),
                            fresh.leaf().getNotAfter().toInstant(), certFile);
                }
                return fresh;
            } catch (IOException e) {
                failedStamp = stamp;
                if (l == null) {
                    log.error("MR1204 no TLS certificate available, TLS handshakes fail: {}", e.getMessage());
                } else {
                    log.error("MR1203 the TLS certificate files changed but cannot be used: {}; the certificate {} stays in force",
                            e.getMessage(), l.leaf().getSubjectX500Principal().getName());
                }
                return l;
            }
        }
    }

    private Loaded load(Object stamp) throws IOException {
        PemFiles.KeyPair pair = PemFiles.read(certFile, keyFile);
        String alias = "mailroot-" + (++generation);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pass = new char[0];
            ks.setKeyEntry(alias, pair.key(), pass, pair.chain().toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pass);
            return new Loaded(alias, (X509ExtendedKeyManager) kmf.getKeyManagers()[0], stamp, pair.leaf());
        } catch (GeneralSecurityException e) {
            throw new IOException(certFile + ": cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    /** The two files' modification times and sizes; null if either is missing. */
    private Object stamp() {
        try {
            BasicFileAttributes c = Files.readAttributes(certFile, BasicFileAttributes.class);
            BasicFileAttributes k = Files.readAttributes(keyFile, BasicFileAttributes.class);
            return List.of(c.lastModifiedTime(), c.size(), k.lastModifiedTime(), k.size());
        } catch (IOException e) {
            return null;
        }
    }

    /** The key manager the SSLContext holds: the pair in force, by alias. */
    private final class Delegate extends X509ExtendedKeyManager {
        private Loaded byAlias(String alias) {
            Loaded c = current;
            if (c != null && c.alias().equals(alias)) {
                return c;
            }
            Loaded p = previous;
            return p != null && p.alias().equals(alias) ? p : null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            Loaded l = refreshed();
            return l == null ? null : l.keys().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            Loaded l = refreshed();
            return l == null ? null : l.keys().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            Loaded l = refreshed();
            return l == null ? null : l.keys().getServerAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Loaded l = byAlias(alias);
            return l == null ? null : l.keys().getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Loaded l = byAlias(alias);
            return l == null ? null : l.keys().getPrivateKey(alias);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
