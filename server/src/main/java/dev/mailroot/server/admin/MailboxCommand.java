package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.server.Home;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.directory.DirectoryFile;
import dev.mailroot.server.directory.Mailbox;
import dev.mailroot.server.directory.MaildirQuota;
import dev.mailroot.server.directory.Quota;
import dev.mailroot.server.directory.Sizes;
import org.springframework.security.crypto.bcrypt.BCrypt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * {@code mailroot mailbox list|show|add|remove|set|passwd|group|catchall}: the mailbox directory
 * ({@code conf/mailboxes.yaml}) from the command line. Every change is written under the file's lock
 * and atomically, checked first (a change that would leave the file with a problem is refused and
 * nothing is written); the running server picks it up within a second. Exit 0: done; 1: the change
 * or lookup failed (no such mailbox, it exists already, the file has problems); 2: a usage error.
 */
@Command(name = "mailbox", mixinStandardHelpOptions = true,
        description = "Lists, shows, adds, removes and changes mailboxes, groups and catch-alls in conf/mailboxes.yaml "
                + "while the server runs. Exit 0 done, 1 failed, 2 usage error.",
        subcommands = {MailboxCommand.ListCmd.class, MailboxCommand.Show.class, MailboxCommand.Add.class,
                MailboxCommand.Remove.class, MailboxCommand.Set.class, MailboxCommand.Passwd.class,
                MailboxCommand.Group.class, MailboxCommand.CatchAll.class},
        footer = {"", "Examples:", "  bin/mailroot mailbox add carol --alias c.smith --quota-size '200000 KB'",
                "  bin/mailroot mailbox set carol --forward-to bob --keep-copy true",
                "  bin/mailroot mailbox show carol", "  bin/mailroot mailbox passwd carol < password.txt"})
public final class MailboxCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** A usage error: exit 2. */
    static final class Usage extends Exception {
        Usage(String message) {
            super(message);
        }
    }

    /** What every verb shares: the home, the directory file, error handling. */
    abstract static class Verb implements Callable<Integer> {
        @Mixin
        HomeOptions options;
        @Spec
        CommandSpec spec;
        Home home;
        MailrootConfig config;
        DirectoryFile file;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public final Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try {
                home = options.home();
                CommandOutput.quietLogging(home);
                config = options.config(home);
                file = new DirectoryFile(home.mailboxesFile(), config.domains());
                return run();
            } catch (Usage e) {
                CommandOutput.error(err, e.getMessage());
                return 2;
            } catch (ConfigException e) {
                CommandOutput.error(err, e.getMessage());
                return 2;
            } catch (DirectoryFile.DirectoryException e) {
                for (String p : e.problems()) {
                    CommandOutput.error(err, home.mailboxesFile() + ": " + p);
                }
                return 1;
            } catch (Failed e) {
                CommandOutput.error(err, e.getMessage());
                return 1;
            } catch (Exception e) {
                CommandOutput.error(err, e.getMessage() == null ? e.toString() : e.getMessage());
                return 1;
            }
        }

        abstract int run() throws Exception;

        Directory directory() throws Exception {
            return file.read().orElseGet(() -> Directory.empty(config.domains()));
        }

        Mailbox existing(Directory d, String name) throws Failed {
            return d.mailbox(name).orElseThrow(() -> new Failed("no mailbox '" + name + "' in " + home.mailboxesFile()));
        }

        /** Applies a change to the file; a {@link Failed} or {@link Usage} thrown inside leaves it as it was. */
        Directory change(UnaryOperator<Directory> change) throws Exception {
            try {
                return file.update(change);
            } catch (Wrapped w) {
                throw w.cause;
            }
        }
    }

    /** The lookup or change failed: exit 1. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    /** Carries a checked exception out of a change function. */
    static final class Wrapped extends RuntimeException {
        final Exception cause;

        Wrapped(Exception cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }

    /**
     * A new password: typed twice at a terminal (not echoed), or one line of standard input; at least
     * 8 characters and at most bcrypt's 72 bytes.
     */
    static String newPassword(String of) throws Usage, java.io.IOException {
        String password;
        if (System.console() != null) {
            char[] p = System.console().readPassword("New password for %s: ", of);
            char[] again = System.console().readPassword("Again: ");
            if (p == null || again == null || !java.util.Arrays.equals(p, again)) {
                throw new Usage("the two passwords differ");
            }
            password = new String(p);
        } else {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (password == null || password.length() < 8) {
            throw new Usage("a password needs at least 8 characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > 72) {
            throw new Usage("a password may have at most 72 bytes (bcrypt's limit)");
        }
        return password;
    }

    static String name(String raw) throws Usage {
        String n = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        if (!LocalRecipients.isSafeMailboxName(n)) {
            throw new Usage("'" + raw + "' cannot be a mailbox name (a dot-atom local part of at most 64 characters)");
        }
        return n;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the mailboxes, groups and catch-alls.")
    static final class ListCmd extends Verb {
        @Option(names = "--json", description = "One JSON document.")
        boolean json;

        @Override
        int run() throws Exception {
            Optional<Directory> d = file.read();
            if (d.isEmpty()) {
                if (json) {
                    out().println("{\"directory\":false,\"mailboxes\":[],\"groups\":{},\"catchAll\":{}}");
                } else {
                    out().println("no directory: " + home.mailboxesFile() + " does not exist, so every local part is a mailbox"
                            + " (mailboxes.autoCreate: " + config.mailboxes().autoCreate() + "); 'mailbox add' creates it");
                }
                return 0;
            }
            Directory dir = d.get();
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                root.put("directory", true);
                ArrayNode a = root.putArray("mailboxes");
                for (Mailbox m : dir.mailboxes().values()) {
                    a.add(Show.describe(home, dir, m));
                }
                ObjectNode g = root.putObject("groups");
                dir.groups().forEach((k, v) -> v.forEach(g.withArray(k)::add));
                ObjectNode c = root.putObject("catchAll");
                dir.catchAll().forEach(c::put);
                out().println(JSON.writeValueAsString(root));
                return 0;
            }
            List<String> lines = new ArrayList<>();
            lines.add(String.format("%-20s %-8s %-28s %-12s %s", "MAILBOX", "ENABLED", "QUOTA (USED / LIMIT)", "FORWARDS", "ADDRESSES"));
            for (Mailbox m : dir.mailboxes().values()) {
                lines.add(String.format("%-20s %-8s %-28s %-12s %s", m.name(), m.enabled() ? "yes" : "NO", Show.usage(home, m),
                        m.forwards() ? (m.keepCopy() ? "with copy" : "NO COPY") : "-", String.join(", ", dir.addressesOf(m))));
            }
            dir.groups().forEach((k, v) -> lines.add("group " + k + ": " + String.join(", ", v)));
            dir.catchAll().forEach((k, v) -> lines.add("catch-all @" + k + ": " + v));
            CommandOutput.report(out(), String.join("\n", lines));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Answers the delivery questions of KB 885685 for one mailbox: does it exist (and under which "
                    + "addresses), is it forwarding (with or without a copy), is it over its quota, do rules move its mail, "
                    + "when did it last get mail, and what last failed for it.")
    public static final class Show extends Verb {
        @Parameters(paramLabel = "NAME", description = "The mailbox name (or one of its addresses).")
        String name;
        @Option(names = "--json", description = "One JSON document.")
        boolean json;

        @Override
        int run() throws Exception {
            Directory dir = directory();
            String n = name.strip().toLowerCase(Locale.ROOT);
            Optional<Mailbox> m = dir.mailbox(n);
            if (m.isEmpty() && n.indexOf('@') > 0) {
                m = dir.lookup(n.substring(0, n.indexOf('@')), n.substring(n.indexOf('@') + 1))
                        .filter(t -> t instanceof Directory.MailboxTarget).map(t -> ((Directory.MailboxTarget) t).mailbox());
            }
            if (m.isEmpty()) {
                throw new Failed("no mailbox '" + name + "' in " + home.mailboxesFile()
                        + (file.exists() ? "" : " (the file does not exist: every local part is a mailbox)"));
            }
            ObjectNode d = describe(home, dir, m.get());
            if (json) {
                out().println(JSON.writeValueAsString(d));
                return 0;
            }
            List<String> lines = new ArrayList<>();
            lines.add("Mailbox:       " + d.get("name").asText() + (d.hasNonNull("displayName") ? " (" + d.get("displayName").asText() + ")" : ""));
            lines.add("Exists:        yes, " + (d.get("enabled").asBoolean() ? "enabled" : "DISABLED: refuses mail with 550 5.2.1"));
            lines.add("Addresses:     " + join(d.get("addresses")));
            lines.add("Groups:        " + (d.get("groups").isEmpty() ? "none" : join(d.get("groups"))));
            lines.add("Forwarding:    " + d.get("forwarding").asText());
            lines.add("Quota:         " + d.get("quota").asText());
            lines.add("Rules (Sieve): " + d.get("rules").asText());
            lines.add("Folder:        " + d.get("folder").asText());
            lines.add("Last delivery: " + d.path("lastDelivery").asText("none"));
            lines.add("Last failure:  " + d.path("lastFailure").asText("none in logs/tracking.jsonl"));
            CommandOutput.report(out(), String.join("\n", lines));
            return 0;
        }

        private static String join(com.fasterxml.jackson.databind.JsonNode a) {
            List<String> s = new ArrayList<>();
            a.forEach(x -> s.add(x.asText()));
            return String.join(", ", s);
        }

        static String usage(Home home, Mailbox m) {
            Path maildir = home.mailboxes().resolve(m.name()).resolve("Maildir");
            try {
                MaildirQuota.Usage u = MaildirQuota.usage(maildir, m.quota());
                String used = Sizes.format(u.bytes()) + ", " + u.messages() + " msg";
                return m.quota().limited() ? used + " / " + m.quota().describe().replaceAll(", warning.*", "") : used + " / none";
            } catch (IOException e) {
                return "cannot read: " + e.getMessage();
            }
        }

        /** What {@code mailbox show --json} prints for {@code m} (the web console's mailbox page shows the same). */
        public static ObjectNode describe(Home home, Directory dir, Mailbox m) {
            ObjectNode d = JSON.createObjectNode();
            d.put("name", m.name());
            d.put("displayName", m.displayName());
            d.put("enabled", m.enabled());
            dir.addressesOf(m).forEach(d.putArray("addresses")::add);
            dir.groupsOf(m).forEach(d.putArray("groups")::add);
            d.put("forwarding", !m.forwards() ? "none" : "to " + String.join(", ", m.forwardTo())
                    + (m.keepCopy() ? ", keeping a copy here" : ", WITHOUT keeping a copy here (mail does not stay in this mailbox)"));
            Path maildir = home.mailboxes().resolve(m.name()).resolve("Maildir");
            d.put("folder", maildir.toString());
            try {
                MaildirQuota.Usage u = MaildirQuota.usage(maildir, m.quota());
                d.put("usedBytes", u.bytes());
                d.put("usedMessages", u.messages());
                Quota q = m.quota();
                d.put("limitBytes", q.maxBytes());
                d.put("limitMessages", q.maxMessages());
                String state = !q.limited() ? "no limit" : q.full(u.bytes(), u.messages()) ? "FULL: new mail waits (452 4.2.2 over SMTP)"
                        : q.warns(u.bytes(), u.messages()) ? "above the warning level" : "below the warning level";
                d.put("quota", Sizes.format(u.bytes()) + " in " + u.messages() + " messages used; limit " + q.describe() + "; " + state);
            } catch (IOException e) {
                d.put("quota", "cannot read the usage: " + e.getMessage());
            }
            Path script = dev.mailroot.server.sieve.SieveRules.scriptOf(home.sieve(), m.name());
            if (!Files.exists(script)) {
                d.put("rules", "none");
            } else {
                try {
                    new dev.mailroot.server.sieve.SieveScripts().compile(script);
                    d.put("rules", "sieve/" + m.name() + ".sieve (compiles)");
                } catch (dev.mailroot.server.sieve.SieveSyntaxError e) {
                    d.put("rules", "sieve/" + m.name() + ".sieve DOES NOT COMPILE (" + e.getMessage() + "): mail is kept in the inbox");
                } catch (IOException e) {
                    d.put("rules", "sieve/" + m.name() + ".sieve cannot be read: " + e.getMessage());
                }
            }
            lastDelivery(maildir).ifPresent(t -> d.put("lastDelivery", t.toString()));
            lastFailure(home, dir.addressesOf(m)).ifPresent(f -> d.put("lastFailure", f));
            return d;
        }

        private static Optional<Instant> lastDelivery(Path maildir) {
            Instant newest = null;
            List<Path> dirs = new ArrayList<>(List.of(maildir.resolve("new"), maildir.resolve("cur")));
            try (Stream<Path> folders = Files.isDirectory(maildir) ? Files.list(maildir) : Stream.empty()) {
                folders.filter(p -> p.getFileName().toString().startsWith(".") && Files.isDirectory(p))
                        .forEach(f -> dirs.addAll(List.of(f.resolve("new"), f.resolve("cur"))));
            } catch (IOException e) {
                // the inbox alone
            }
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Instant t = Files.getLastModifiedTime(f).toInstant();
                        if (newest == null || t.isAfter(newest)) {
                            newest = t;
                        }
                    }
                } catch (IOException e) {
                    // unreadable: nothing to say
                }
            }
            return Optional.ofNullable(newest);
        }

        /** The newest badmail or retry event of the tracking log that names one of {@code addresses}. */
        private static Optional<String> lastFailure(Home home, List<String> addresses) {
            Path log = home.logs().resolve("tracking.jsonl");
            if (!Files.exists(log)) {
                return Optional.empty();
            }
            String last = null;
            try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if ((line.contains("\"event\":\"badmail\"") || line.contains("\"event\":\"retry\"")) && mentions(line, addresses)) {
                        last = line;
                    }
                }
            } catch (IOException e) {
                return Optional.empty();
            }
            if (last == null) {
                return Optional.empty();
            }
            try {
                var n = JSON.readTree(last);
                return Optional.of(n.path("time").asText() + " " + n.path("event").asText() + " (message " + n.path("id").asText()
                        + "): " + n.path("reason").asText());
            } catch (IOException e) {
                return Optional.of(last);
            }
        }

        private static boolean mentions(String line, List<String> addresses) {
            String l = line.toLowerCase(Locale.ROOT);
            return addresses.stream().anyMatch(a -> l.contains(a.toLowerCase(Locale.ROOT)));
        }
    }

    /** The options that set a mailbox's fields, shared by add and set. */
    static final class Fields {
        @Option(names = "--display-name", paramLabel = "TEXT")
        String displayName;
        @Option(names = "--alias", paramLabel = "ADDRESS", description = "Another address: a local part (at every local domain) or a full address. Repeatable.")
        List<String> aliases;
        @Option(names = "--domain", paramLabel = "DOMAIN", description = "Only at these local domains (default: all). Repeatable.")
        List<String> domains;
        @Option(names = "--quota-size", paramLabel = "SIZE", description = "200000 KB, 200 MB, 2 GB, or none.")
        String quotaSize;
        @Option(names = "--quota-messages", paramLabel = "N", description = "A message count, or 0 for none.")
        Long quotaMessages;
        @Option(names = "--warn-percent", paramLabel = "P", description = "The warning level, 1..100 (default 90).")
        Integer warnPercent;
        @Option(names = "--forward-to", paramLabel = "ADDRESS", description = "Forward to this mailbox or address. Repeatable.")
        List<String> forwardTo;
        @Option(names = "--no-forward", description = "Stop forwarding.")
        boolean noForward;
        @Option(names = "--keep-copy", paramLabel = "true|false", arity = "1", description = "With forwarding: keep a copy here too.")
        Boolean keepCopy;
        @Option(names = "--enabled", paramLabel = "true|false", arity = "1", description = "A disabled mailbox refuses mail (550 5.2.1).")
        Boolean enabled;

        boolean isEmpty() {
            return displayName == null && aliases == null && domains == null && quotaSize == null && quotaMessages == null
                    && warnPercent == null && forwardTo == null && !noForward && keepCopy == null && enabled == null;
        }

        Mailbox apply(Mailbox m) throws Usage {
            Mailbox r = m;
            if (displayName != null) {
                r = r.withDisplayName(displayName.isBlank() ? null : displayName);
            }
            if (aliases != null) {
                r = r.withAliases(lower(aliases));
            }
            if (domains != null) {
                r = r.withDomains(lower(domains));
            }
            if (quotaSize != null || quotaMessages != null || warnPercent != null) {
                Quota q = r.quota();
                try {
                    long size = quotaSize == null ? q.maxBytes() : quotaSize.equalsIgnoreCase("none") ? 0 : Sizes.parse(quotaSize);
                    long msgs = quotaMessages == null ? q.maxMessages() : quotaMessages;
                    r = r.withQuota(new Quota(size, msgs, warnPercent == null ? q.warnPercent() : warnPercent));
                } catch (IllegalArgumentException e) {
                    throw new Usage(e.getMessage());
                }
            }
            if (noForward) {
                r = r.withForwarding(List.of(), false);
            } else if (forwardTo != null || keepCopy != null) {
                r = r.withForwarding(forwardTo == null ? r.forwardTo() : forwardTo, keepCopy == null ? r.keepCopy() : keepCopy);
            }
            if (enabled != null) {
                r = r.withEnabled(enabled);
            }
            return r;
        }

        private static List<String> lower(List<String> in) {
            return in.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Adds a mailbox (creating conf/mailboxes.yaml if needed: from then on only the mailboxes it names receive mail).")
    static final class Add extends Verb {
        @Parameters(paramLabel = "NAME", description = "The mailbox name: its folder's name and its address at every local domain.")
        String rawName;
        @picocli.CommandLine.ArgGroup(exclusive = false)
        Fields fields = new Fields();

        @Override
        int run() throws Exception {
            String n = name(rawName);
            Mailbox m = fields.apply(Mailbox.named(n));
            boolean created = !file.exists();
            change(d -> {
                if (d.mailbox(n).isPresent()) {
                    throw new Wrapped(new Failed("mailbox '" + n + "' exists already (change it with 'mailbox set')"));
                }
                return DirectoryFile.with(d, m);
            });
            Files.createDirectories(home.mailboxes().resolve(n).resolve("Maildir"));
            CommandOutput.report(out(), "added mailbox " + n + (created ? " (created " + home.mailboxesFile()
                    + ": from now on only the mailboxes, aliases and groups it names receive mail, and postmaster)" : ""));
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Removes a mailbox from the directory (and from groups and catch-alls). Its folder and mail stay on disk.")
    static final class Remove extends Verb {
        @Parameters(paramLabel = "NAME")
        String rawName;

        @Override
        int run() throws Exception {
            String n = name(rawName);
            change(d -> {
                if (d.mailbox(n).isEmpty()) {
                    throw new Wrapped(new Failed("no mailbox '" + n + "' in " + home.mailboxesFile()));
                }
                return DirectoryFile.without(d, n);
            });
            CommandOutput.report(out(), "removed mailbox " + n + " from the directory; its mail stays in "
                    + home.mailboxes().resolve(n) + " (new mail for it is refused with 550 5.1.1)");
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Changes a mailbox; only the options given change.")
    static final class Set extends Verb {
        @Parameters(paramLabel = "NAME")
        String rawName;
        @picocli.CommandLine.ArgGroup(exclusive = false)
        Fields fields = new Fields();
        @Option(names = "--sieve", paramLabel = "FILE", description = "Installs FILE as the mailbox's Sieve script "
                + "(sieve/<name>.sieve), after checking that it compiles; a script that does not is refused with its line.")
        Path sieve;
        @Option(names = "--no-sieve", description = "Removes the mailbox's Sieve script.")
        boolean noSieve;

        @Override
        int run() throws Exception {
            String n = name(rawName);
            if (sieve != null || noSieve) {
                existing(directory(), n);
                Path target = dev.mailroot.server.sieve.SieveRules.scriptOf(home.sieve(), n);
                if (noSieve) {
                    Files.deleteIfExists(target);
                    CommandOutput.report(out(), "removed the Sieve script of mailbox " + n);
                } else {
                    String text;
                    try {
                        text = Files.readString(sieve, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new Usage("cannot read " + sieve + ": " + e.getMessage());
                    }
                    try {
                        new dev.mailroot.server.sieve.SieveScripts().install(target, text);
                    } catch (dev.mailroot.server.sieve.SieveSyntaxError e) {
                        throw new Failed(sieve + ": " + e.getMessage() + " (the script was not installed)");
                    }
                    CommandOutput.report(out(), "installed the Sieve script of mailbox " + n + " (" + target + ")");
                }
                if (fields.isEmpty()) {
                    return 0;
                }
            }
            Directory after = change(d -> {
                try {
                    return DirectoryFile.with(d, fields.apply(existing(d, n)));
                } catch (Usage | Failed e) {
                    throw new Wrapped(e);
                }
            });
            Mailbox m = after.mailbox(n).orElseThrow();
            CommandOutput.report(out(), "changed mailbox " + n + ": forwarding " + (m.forwards() ? "to " + m.forwardTo()
                    + (m.keepCopy() ? " with a copy" : " without a copy") : "none") + "; quota " + m.quota().describe()
                    + "; " + (m.enabled() ? "enabled" : "disabled"));
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = "Sets a mailbox's password: read from the terminal (not echoed) or one line of standard input; "
                    + "only its bcrypt hash is stored.")
    static final class Passwd extends Verb {
        @Parameters(paramLabel = "NAME")
        String rawName;

        @Override
        int run() throws Exception {
            String n = name(rawName);
            String password = newPassword("mailbox " + n);
            String hash = BCrypt.hashpw(password, BCrypt.gensalt(12));
            change(d -> {
                try {
                    return DirectoryFile.with(d, existing(d, n).withPasswordHash(hash));
                } catch (Failed e) {
                    throw new Wrapped(e);
                }
            });
            CommandOutput.report(out(), "password of mailbox " + n + " set (bcrypt, cost 12)");
            return 0;
        }
    }

    @Command(name = "group", mixinStandardHelpOptions = true,
            description = "Sets a distribution group's members (mailbox names or addresses); no member removes the group.")
    static final class Group extends Verb {
        @Parameters(index = "0", paramLabel = "NAME")
        String rawName;
        @Parameters(index = "1..*", paramLabel = "MEMBER")
        List<String> members = new ArrayList<>();

        @Override
        int run() throws Exception {
            String n = rawName.strip().toLowerCase(Locale.ROOT);
            change(d -> DirectoryFile.withGroup(d, n, members.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).toList()));
            CommandOutput.report(out(), members.isEmpty() ? "removed group " + n : "group " + n + ": " + String.join(", ", members));
            return 0;
        }
    }

    @Command(name = "catchall", mixinStandardHelpOptions = true,
            description = "Sets the mailbox or group that gets mail for unknown addresses of a local domain; none removes it.")
    static final class CatchAll extends Verb {
        @Parameters(index = "0", paramLabel = "DOMAIN")
        String domain;
        @Parameters(index = "1", paramLabel = "TARGET|none")
        String target;

        @Override
        int run() throws Exception {
            String d0 = domain.strip().toLowerCase(Locale.ROOT);
            String t = target.strip().toLowerCase(Locale.ROOT);
            change(d -> DirectoryFile.withCatchAll(d, d0, t.equals("none") ? null : t));
            CommandOutput.report(out(), t.equals("none") ? "no catch-all for " + d0 : "catch-all for " + d0 + ": " + t);
            return 0;
        }
    }
}
