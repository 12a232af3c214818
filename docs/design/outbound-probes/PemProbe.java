// Probe for docs/design/outbound.md §4: PEM certificate + key loading in pure Java 17, and
// first-start self-signed generation through keytool. Run: java PemProbe.java cert.pem key.pem
import java.io.*;
import java.nio.file.*;
import java.security.*;
import java.security.cert.*;
import java.security.spec.*;
import java.util.*;

public class PemProbe {
    public static void main(String[] a) throws Exception {
        Collection<? extends java.security.cert.Certificate> chain;
        try (InputStream in = Files.newInputStream(Path.of(a[0]))) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in); // reads PEM, several blocks
        }
        System.out.println("chain: " + chain.size() + " cert(s), first " + ((X509Certificate) chain.iterator().next()).getSubjectX500Principal());
        String pem = Files.readString(Path.of(a[1]));
        String type = pem.substring(pem.indexOf("-----BEGIN ") + 11, pem.indexOf("-----", pem.indexOf("-----BEGIN ") + 11));
        System.out.println("key block: " + type);
        if (!type.equals("PRIVATE KEY")) { System.out.println("  not PKCS#8: the JDK has no parser for it (needs conversion or BouncyCastle)"); return; }
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[^-]+-----", ""));
        PrivateKey key = null;
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try { key = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der)); break; } catch (InvalidKeySpecException e) { /* next */ }
        }
        System.out.println("key: " + key.getAlgorithm() + " " + key.getFormat());
        KeyStore ks = KeyStore.getInstance("PKCS12"); ks.load(null, null);
        ks.setKeyEntry("mailroot", key, new char[0], chain.toArray(new java.security.cert.Certificate[0]));
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        System.out.println("key manager: " + kmf.getKeyManagers()[0].getClass().getSimpleName());
    }
}
