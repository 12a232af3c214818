package dev.mailroot.server.folders;

import dev.mailroot.server.Home;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Badmail moved to another disk and linked back is still badmail; what sits in it that is not an
 * entry (a folder, a link, a name that is no id) is neither listed nor counted nor moved.
 */
class FoldersLinksTest {
    @TempDir
    Path root;

    @Test
    void aLinkedFolderIsReadAndWhatIsNotAnEntryIsNeitherCountedNorMoved() throws IOException {
        Home home = new Home(root.resolve("home"));
        Files.createDirectories(home.mailroot());
        Path elsewhere = Files.createDirectories(root.resolve("other-disk/badmail"));
        Files.createSymbolicLink(home.badmail(), elsewhere);
        Files.writeString(elsewhere.resolve("p1.bad"), "x-sender: a@example.org\r\nx-receiver: bob@localhost\r\nSubject: kept\r\n\r\nbody\r\n");
        Files.writeString(elsewhere.resolve("p1.bdr"), "Reason: a sink said so\n");
        Files.createDirectories(elsewhere.resolve("dir.bad"));
        Files.createSymbolicLink(elsewhere.resolve("link.bad"), elsewhere.resolve("p1.bad"));
        Files.writeString(elsewhere.resolve("with space.bad"), "x-sender: a@example.org\r\n\r\n");

        Folders folders = new Folders(home, Clock.systemUTC());
        assertThat(folders.list("badmail", 10)).extracting(Folders.Item::id).containsExactly("p1");
        assertThat(folders.count("badmail")).isEqualTo(1);
        assertThatThrownBy(() -> folders.resubmit("badmail", "link")).isInstanceOf(IOException.class);
        assertThat(Files.isSymbolicLink(elsewhere.resolve("link.bad"))).isTrue();
        Path moved = folders.resubmit("badmail", "p1");
        assertThat(moved).isEqualTo(home.pickup().resolve("p1.eml"));
        assertThat(Files.readString(moved)).contains("Subject: kept");
    }
}
