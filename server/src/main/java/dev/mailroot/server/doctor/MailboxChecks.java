package dev.mailroot.server.doctor;

import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.directory.DirectoryFile;
import dev.mailroot.server.directory.Mailbox;
import dev.mailroot.server.directory.MaildirQuota;
import dev.mailroot.server.sieve.SieveScripts;
import dev.mailroot.server.sieve.SieveSyntaxError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The checks of the mailbox directory and the mailboxes: quotas (MR8010), forwarding without a
 * copy (MR8011), Sieve scripts that do not compile (MR8012).
 */
final class MailboxChecks {
    private MailboxChecks() {
    }

    private static Optional<Directory> directory(Subject s) throws IOException {
        try {
            return new DirectoryFile(s.home().mailboxesFile(), s.config().domains()).read();
        } catch (DirectoryFile.DirectoryException e) {
            throw new IOException("conf/mailboxes.yaml is invalid: " + String.join("; ", e.problems()));
        }
    }

    static Check quotas(Subject s) throws IOException {
        String name = "quota";
        Optional<Directory> d = directory(s);
        if (d.isEmpty()) {
            return Check.skip(name, "MR8010", "no conf/mailboxes.yaml: no quotas");
        }
        List<String> full = new ArrayList<>();
        List<String> near = new ArrayList<>();
        int limited = 0;
        for (Mailbox m : d.get().mailboxes().values()) {
            if (!m.quota().limited()) {
                continue;
            }
            limited++;
            MaildirQuota.Usage u = MaildirQuota.peek(s.home().mailboxes().resolve(m.name()).resolve("Maildir"), m.quota());
            String usage = m.name() + " (" + u.bytes() + " bytes, " + u.messages() + " messages of " + m.quota().describe() + ")";
            if (m.quota().full(u.bytes(), u.messages())) {
                full.add(usage);
            } else if (m.quota().warns(u.bytes(), u.messages())) {
                near.add(usage);
            }
        }
        String remedy = "the user deletes or archives mail, or raise it: bin/mailroot mailbox set <name> --quota-size ...";
        if (!full.isEmpty()) {
            return new Check(name, "MR8010", Check.Status.FAIL, "full, refusing mail (452 4.2.2): " + String.join("; ", full)
                    + (near.isEmpty() ? "" : "; near: " + String.join("; ", near)), remedy);
        }
        if (!near.isEmpty()) {
            return new Check(name, "MR8010", Check.Status.WARN, "at or above the warning level: " + String.join("; ", near), remedy);
        }
        return Check.ok(name, "MR8010", limited + " mailbox(es) with a quota, each below its warning level");
    }

    static Check forwarding(Subject s) throws IOException {
        String name = "forwarding";
        Optional<Directory> d = directory(s);
        if (d.isEmpty()) {
            return Check.skip(name, "MR8011", "no conf/mailboxes.yaml: no forwarding");
        }
        List<String> found = d.get().mailboxes().values().stream().filter(m -> m.forwards() && !m.keepCopy())
                .map(m -> m.name() + " -> " + String.join(", ", m.forwardTo())).toList();
        if (found.isEmpty()) {
            return Check.ok(name, "MR8011", "every forwarding mailbox keeps a copy");
        }
        return new Check(name, "MR8011", Check.Status.WARN, "forwarded without a copy (a failed forward is the only trace): "
                + String.join("; ", found), "if not on purpose: bin/mailroot mailbox set <name> --keep-copy true");
    }

    static Check sieve(Subject s) throws IOException {
        String name = "sieve";
        Path dir = s.home().sieve();
        if (!Files.isDirectory(dir)) {
            return Check.ok(name, "MR8012", "no Sieve scripts");
        }
        SieveScripts scripts = new SieveScripts();
        List<String> broken = new ArrayList<>();
        int count = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().endsWith(".sieve")).sorted()::iterator) {
                count++;
                try {
                    scripts.compile(f);
                } catch (SieveSyntaxError e) {
                    broken.add(f.getFileName() + ": " + e.message());
                } catch (IOException e) {
                    broken.add(f.getFileName() + ": cannot read: " + e.getMessage());
                }
            }
        }
        if (!broken.isEmpty()) {
            return new Check(name, "MR8012", Check.Status.FAIL, String.join("; ", broken) + " (its mail is kept in the inbox, MR3107)",
                    "correct the script at that line (docs/sieve.md lists what is supported)");
        }
        return Check.ok(name, "MR8012", count + " Sieve script(s) compile");
    }
}
