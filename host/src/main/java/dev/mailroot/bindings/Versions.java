package dev.mailroot.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Version facts shared by the server and the registry tool, from the build (the Maven project
 * version, written into {@code version.properties} beside this class when it is compiled).
 */
public final class Versions {
    /** The version as built, qualifier included ({@code 1.0.0-SNAPSHOT}): what {@code --version} and the logs say. */
    public static final String BUILD = read();

    /**
     * The Mailroot version a plugin's {@code Plugin-Requires} is checked against: {@link #BUILD}
     * without its qualifier ({@code 1.0.0}). Semantic versioning orders {@code 1.0.0-SNAPSHOT}
     * before {@code 1.0.0}, so the full version would refuse the bundled plugins'
     * {@code >=1.0.0} during development.
     */
    public static final String MAILROOT = withoutQualifier(BUILD);

    private Versions() {
    }

    /** {@code 1.2.3-SNAPSHOT} → {@code 1.2.3}; {@code 1.2.3+build.5} → {@code 1.2.3}. */
    static String withoutQualifier(String version) {
        int cut = version.length();
        for (char c : new char[]{'-', '+'}) {
            int i = version.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return version.substring(0, cut);
    }

    private static String read() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing beside " + Versions.class.getName());
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty("version", "").strip();
        if (!v.matches("\\d+\\.\\d+\\.\\d+([-+].*)?")) {
            throw new IllegalStateException("version.properties holds no version (was the build's filtering skipped?): '" + v + "'");
        }
        return v;
    }
}
