package dev.mailroot.server.address;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalRecipientsTest {

    @TempDir
    Path root;

    @Test
    void localMailboxesAreLowerCasedAndForeignDomainsAreNotLocal() {
        LocalRecipients r = new LocalRecipients(List.of("example.com"), root, true);
        assertThat(r.check("Carol.Smith@EXAMPLE.com")).isEqualTo(
                new RecipientVerdict(RecipientVerdict.Kind.LOCAL, "carol.smith", "carol.smith@example.com"));
        assertThat(r.check("x@example.org").kind()).isEqualTo(RecipientVerdict.Kind.NOT_LOCAL);
        assertThat(r.check("x@sub.example.com").kind()).isEqualTo(RecipientVerdict.Kind.NOT_LOCAL);
        assertThat(r.check("bob").kind()).isEqualTo(RecipientVerdict.Kind.BAD_MAILBOX_NAME);
        assertThat(r.check("POSTMASTER").address()).isEqualTo("postmaster@example.com");
    }

    @Test
    void namesThatCouldEscapeOrHideAreNotMailboxNames() {
        for (String bad : List.of("", ".", "..", "../x", "x/..", ".x", "x.", "a..b", "a/b", "a\\b", "a\u0000b", "a\nb",
                "a b", "\"q\"", "é", "x".repeat(65))) {
            assertThat(LocalRecipients.isSafeMailboxName(bad)).as(bad).isFalse();
        }
        for (String good : List.of("bob", "carol.smith", "mspop3connector.carol", "o'brien", "a+tag", "x".repeat(64))) {
            assertThat(LocalRecipients.isSafeMailboxName(good)).as(good).isTrue();
        }
    }

    @Test
    void theMaildirOfAMailboxIsAlwaysInsideTheMailboxFolder() {
        LocalRecipients r = new LocalRecipients(List.of("example.com"), root, true);
        assertThat(r.maildirOf("bob")).isEqualTo(root.resolve("bob/Maildir"));
        assertThatThrownBy(() -> r.maildirOf("../bob")).isInstanceOf(IllegalArgumentException.class);
    }
}
