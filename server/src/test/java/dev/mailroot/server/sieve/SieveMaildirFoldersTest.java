package dev.mailroot.server.sieve;

import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where {@code fileinto} puts a message on disk, and the names it refuses. */
class SieveMaildirFoldersTest {

    @Test
    void folderPathsBecomeMaildirPlusPlusNames() {
        assertThat(MaildirFolders.directoryName("Work")).isEqualTo(".Work");
        assertThat(MaildirFolders.directoryName("Work/Reports")).isEqualTo(".Work.Reports");
        assertThat(MaildirFolders.directoryName("Work.Reports")).isEqualTo(".Work.Reports");
        assertThat(MaildirFolders.directoryName("INBOX")).isEmpty();
        assertThat(MaildirFolders.directoryName("inbox/Work")).isEqualTo(".Work");
        assertThat(MaildirFolders.directoryName("Lists/java-dev")).isEqualTo(".Lists.java-dev");
        assertThat(MaildirFolders.directoryName("Q&A")).isEqualTo(".Q&-A");
        assertThat(MaildirFolders.directoryName("Reçus")).isEqualTo(".Re&AOc-us");
        assertThat(MaildirFolders.directoryName("日本語")).isEqualTo(".&ZeVnLIqe-");
        assertThat(MaildirFolders.directoryName("new")).isEqualTo(".new");
    }

    @Test
    void namesThatCouldEscapeTheMaildirOrHideAreRefused() {
        for (String bad : List.of("", "..", "../x", "x/..", "/", "/etc", "x/", ".hidden", "a//b", "a..b",
                "a\\b", "a\u0000b", "a\nb", "a\rb", "\u007f", "a\u202eb", "x".repeat(300))) {
            assertThatThrownBy(() -> MaildirFolders.directoryName(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aRefusedNameNeverContainsASlashAndAnAcceptedOneStartsWithADot() {
        for (String name : List.of("a", "a b", "a/b/c", "x-y_z", "Ünïcödé/😀", "~user", "a:b")) {
            String dir = MaildirFolders.directoryName(name);
            assertThat(dir).as(name).startsWith(".").doesNotContain("/").doesNotContain("..");
        }
    }
}
