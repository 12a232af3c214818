package dev.mailroot.server.directory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** conf/mailboxes.yaml: every problem reported with its line, nothing half-read, round trips. */
class DirectoryFileTest {
    @TempDir
    Path dir;

    private DirectoryFile file() {
        return new DirectoryFile(dir.resolve("mailboxes.yaml"), List.of("example.com", "other.example"));
    }

    @Test
    void everyProblemIsReportedWithItsLineAndNothingIsRead() {
        String text = """
                mailboxes:
                  carol:
                    quota: {size: 12 parsecs}
                    password: secret123
                  bob:
                    aliases: [bob@elsewhere.example]
                    colour: blue
                  "../etc": {}
                groups:
                  carol: [bob]
                catchAll:
                  nowhere.example: carol
                """;
        assertThatThrownBy(() -> file().parse(text)).isInstanceOfSatisfying(DirectoryFile.DirectoryException.class, e ->
                assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("mailboxes.carol (line 2)", "'12 parsecs' is not a size"))
                        .anySatisfy(p -> assertThat(p).contains("password must be a bcrypt hash", "mailbox passwd carol"))
                        .anySatisfy(p -> assertThat(p).contains("mailboxes.bob (line 5)", "not in a local domain"))
                        .anySatisfy(p -> assertThat(p).contains("unknown key 'colour'"))
                        .anySatisfy(p -> assertThat(p).contains("'../etc' cannot be a mailbox name"))
                        .anySatisfy(p -> assertThat(p).contains("catchAll.nowhere.example", "not a local domain")));
    }

    @Test
    void twoClaimsOnOneAddressAreAProblem() {
        assertThatThrownBy(() -> file().parse("mailboxes:\n  carol: {aliases: [info]}\n  bob: {aliases: [info]}\n"))
                .hasMessageContaining("the address info@example.com is also mailbox carol's");
        assertThatThrownBy(() -> file().parse("mailboxes:\n  carol: {}\ngroups:\n  carol: [bob]\n"))
                .hasMessageContaining("groups.carol (line 4): 'carol' is also a mailbox");
    }

    @Test
    void whatIsWrittenReadsBackTheSameAndAChangeWithAProblemWritesNothing() throws Exception {
        DirectoryFile f = file();
        Directory d = f.update(x -> DirectoryFile.with(x, Mailbox.named("carol").withAliases(List.of("c.smith"))
                .withQuota(new Quota(204800000, 0, 80)).withForwarding(List.of("bob@remote.example"), true)));
        String written = Files.readString(f.path());
        assertThat(written).startsWith("# Mailroot mailbox directory").contains("carol:", "size: 204800000", "keepCopy: true");
        assertThat(f.read().orElseThrow().mailboxes()).isEqualTo(d.mailboxes());
        assertThatThrownBy(() -> f.update(x -> DirectoryFile.with(x, Mailbox.named("bob").withAliases(List.of("c.smith")))))
                .isInstanceOf(DirectoryFile.DirectoryException.class);
        assertThat(Files.readString(f.path())).isEqualTo(written);
    }

    @Test
    void resolutionFollowsAliasesGroupsCatchAllsAndStopsLoops() throws Exception {
        Directory d = file().parse("""
                mailboxes:
                  a: {forwardTo: [b]}
                  b: {forwardTo: [a]}
                  c: {aliases: [sales@other.example]}
                groups:
                  all: [a, c, c, x@remote.example]
                catchAll:
                  other.example: c
                """);
        Expansion loop = Expansion.of(d, "a@example.com");
        assertThat(loop.copies()).extracting(cp -> cp.mailbox().name()).containsExactly("a");
        assertThat(loop.path()).anySatisfy(p -> assertThat(p).contains("forwarding loop"));
        Expansion group = Expansion.of(d, "all@example.com");
        assertThat(group.copies()).extracting(cp -> cp.mailbox().name()).containsExactly("a", "c");
        assertThat(group.failed()).isEmpty();
        assertThat(group.remote()).containsExactly("x@remote.example");
        assertThat(group.path()).anySatisfy(p -> assertThat(p).contains("x@remote.example: remote, sent by the outbound queue"));
        assertThat(Expansion.of(d, "anything@other.example").copies()).extracting(cp -> cp.mailbox().name()).containsExactly("c");
        assertThat(Expansion.of(d, "sales@other.example").copies().get(0).deliveredTo()).isEqualTo("sales@other.example");
        assertThat(Expansion.of(d, "nobody@example.com").failed()).isNotEmpty();
        assertThat(d.lookup("postmaster", "example.com")).isPresent();
    }
}
