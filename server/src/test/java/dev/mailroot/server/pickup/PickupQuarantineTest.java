package dev.mailroot.server.pickup;

import dev.mailroot.server.ChildServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad pickup files the server may read but not write (read-only, or another user's) go to badmail
 * without a false error. The server runs as a real process, as root without the capability to
 * override file permissions (as in a container or a hardened service): root otherwise writes any
 * file, and the fault would not show.
 */
class PickupQuarantineTest {

    @TempDir
    Path home;

    /** Root, but bound by file permissions like any user. */
    private static final List<String> ROOT_WITHOUT_OVERRIDE =
            List.of("setpriv", "--bounding-set", "-dac_override,-dac_read_search");

    private static List<Path> badmail(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void readOnlyAndForeignOwnedBadFilesReachBadmailWithoutAFalseError() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/mailroot.yaml"), "smtp: {port: " + ChildServer.freePort() + "}\n"
                + "admin: {port: 0}\npickup: {settleMillis: 100, rescanSeconds: 1}\n");
        Path pickup = Files.createDirectories(home.resolve("mailroot/pickup"));
        Path readOnly = Files.writeString(pickup.resolve("read-only.eml"), "not a message at all\r\n");
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r--r--r--"));
        Path foreign = Files.writeString(pickup.resolve("foreign.eml"), "");
        UserPrincipalLookupService users = home.getFileSystem().getUserPrincipalLookupService();
        Files.getFileAttributeView(foreign, java.nio.file.attribute.PosixFileAttributeView.class)
                .setOwner(users.lookupPrincipalByName("65534"));
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rw-r--r--"));

        try (ChildServer child = ChildServer.start(home, ROOT_WITHOUT_OVERRIDE, "--home", home.toString())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> badmail(home.resolve("mailroot/badmail")).size() == 4
                    || !child.process().isAlive());
            await().atMost(Duration.ofSeconds(10)).until(() -> child.stdout().split("MR1102", -1).length == 3);
            String out = child.stdout();
            assertThat(out).contains("MR1102 pickup file read-only.eml sent to badmail", "not a message",
                    "MR1102 pickup file foreign.eml sent to badmail", "the file is empty");
            assertThat(out).doesNotContain("MR1103", "cannot be moved");
            assertThat(pickup.resolve("read-only.eml")).doesNotExist();
            assertThat(pickup.resolve("foreign.eml")).doesNotExist();
            child.terminate();
            assertThat(child.waitForExit(30)).isZero();
        }
        assertThat(badmail(home.resolve("mailroot/badmail")).stream().map(p -> p.getFileName().toString()))
                .hasSize(4).allMatch(n -> n.endsWith(".bad") || n.endsWith(".bdr"));
    }
}
