package dev.mailroot.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailroot.bindings.ControlCharacters;
import dev.mailroot.server.HomeOptions;
import dev.mailroot.server.folders.Folders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mailroot folder list|show|resubmit|delete <badmail|poison|quarantine> [id]}: the folders
 * where messages wait for an operator ({@link Folders}). Files only: works with the server running
 * or stopped. Exit 0 on success, 1 if the entry is not there or a move failed, 2 on a usage error
 * (unknown folder, an id that is not one).
 */
@Command(name = "folder", mixinStandardHelpOptions = true,
        description = "Lists, shows, resubmits (through pickup) and deletes (into badmail, or from badmail into "
                + "badmail/deleted: never vanishing) the messages in badmail, poison and quarantine.",
        subcommands = {FolderCommand.ListCmd.class, FolderCommand.Show.class, FolderCommand.Resubmit.class,
                FolderCommand.Delete.class},
        footer = {"", "Examples:", "  bin/mailroot folder list badmail", "  bin/mailroot folder show poison 0HNV3Q9MKGT0Q",
                "  bin/mailroot folder resubmit badmail 0HNV3Q9MKGT0Q",
                "  bin/mailroot folder delete quarantine 0HNV3Q9MKGT0Q --reason 'spam, checked by hand'"})
public final class FolderCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** What every subcommand shares: the home, the folder, and the exit codes. */
    abstract static class Action implements Callable<Integer> {
        @Mixin
        HomeOptions options;
        @Parameters(index = "0", paramLabel = "FOLDER", description = "badmail, poison or quarantine.")
        String folder;
        @Spec
        CommandSpec spec;

        abstract void run(Folders folders, PrintWriter out) throws IOException;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            CommandOutput.quietLogging(options.home());
            try {
                Folders folders = new Folders(options.home(), Clock.systemUTC());
                folders.dir(folder);
                run(folders, out);
                out.flush();
                return 0;
            } catch (IllegalArgumentException e) {
                CommandOutput.error(err, e.getMessage());
                return 2;
            } catch (NoSuchFileException e) {
                CommandOutput.error(err, e.getReason() != null ? e.getReason() : "not found: " + e.getFile());
                return 1;
            } catch (IOException e) {
                CommandOutput.error(err, folder + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The folder's entries, newest first.")
    static final class ListCmd extends Action {
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N entries (default ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--json", description = "One JSON object per entry.")
        boolean json;

        @Override
        void run(Folders folders, PrintWriter out) throws IOException {
            List<Folders.Item> items = folders.list(folder, limit);
            int total = folders.count(folder);
            for (Folders.Item i : items) {
                if (json) {
                    ObjectNode n = JSON.createObjectNode();
                    n.put("folder", i.folder()).put("id", i.id()).put("file", i.file().toString()).put("size", i.size())
                            .put("time", i.time().toString()).put("from", i.from()).put("subject", i.subject())
                            .put("reason", i.reason());
                    i.to().forEach(n.putArray("to")::add);
                    out.println(n);
                } else {
                    out.println(ControlCharacters.escape(i.id() + "  " + i.time() + "  " + i.size() + " bytes  <" + i.from()
                            + "> -> " + String.join(", ", i.to()) + "  subject: " + (i.subject() == null ? "" : i.subject())));
                    out.println(ControlCharacters.escape("    reason: " + i.reason()));
                    out.println(ControlCharacters.escape("    file:   " + i.file()));
                }
            }
            if (!json) {
                out.println(total == 0 ? "mailroot: " + folder + " is empty" : "-- " + items.size() + " of " + total
                        + " entr" + (total == 1 ? "y" : "ies") + " in " + folders.dir(folder)
                        + (total > items.size() ? " (more not shown: raise --limit)" : ""));
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "An entry's envelope and header fields, then its reason file.")
    static final class Show extends Action {
        @Parameters(index = "1", paramLabel = "ID", description = "The entry id, as 'folder list' shows it.")
        String id;

        @Override
        void run(Folders folders, PrintWriter out) throws IOException {
            out.print(folders.show(folder, id));
        }
    }

    @Command(name = "resubmit", mixinStandardHelpOptions = true,
            description = "Moves the entry into pickup (its x-sender/x-receiver lines carry the envelope); its reason "
                    + "file is kept in <folder>/resubmitted/.")
    static final class Resubmit extends Action {
        @Parameters(index = "1", paramLabel = "ID", description = "The entry id, as 'folder list' shows it.")
        String id;

        @Override
        void run(Folders folders, PrintWriter out) throws IOException {
            out.println(ControlCharacters.escape(folder + " entry " + id + " resubmitted: " + folders.resubmit(folder, id)));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Moves the entry out of sight without losing it: from poison or quarantine into badmail, from "
                    + "badmail into badmail/deleted/, the reason added to its .bdr.")
    static final class Delete extends Action {
        @Parameters(index = "1", paramLabel = "ID", description = "The entry id, as 'folder list' shows it.")
        String id;
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, kept in its .bdr (default: deleted by an operator).")
        String reason;

        @Override
        void run(Folders folders, PrintWriter out) throws IOException {
            out.println(ControlCharacters.escape(folder + " entry " + id + " deleted: now " + folders.delete(folder, id, reason)));
        }
    }
}
