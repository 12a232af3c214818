package dev.mailroot.server.console;

import dev.mailroot.bindings.BindingStore;
import dev.mailroot.server.Home;
import dev.mailroot.server.admin.Health;
import dev.mailroot.server.admin.LiveState;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.doctor.DoctorSchedule;
import dev.mailroot.server.folders.Folders;
import dev.mailroot.server.metrics.History;
import dev.mailroot.server.tracking.MessageSearch;
import dev.mailroot.server.outbound.OutboundQueue;
import dev.mailroot.server.spool.Spool;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the console's pages read and act on: the same objects the server and the command-line tools
 * use, so a console action and its command do the same thing.
 *
 * @param home        the server's home
 * @param config      its configuration
 * @param credentials who may log in
 * @param bindings    {@code conf/bindings.yaml} (what {@code bin/registry} edits)
 * @param live        the bindings in force and the plugin host (null parts without plugins)
 * @param health      what {@code GET /health} says
 * @param spool       the spool: its messages and their content
 * @param outbound    the outbound queue
 * @param directory   the mailbox directory in force
 * @param problems    the last warnings and errors logged
 * @param folders     badmail, poison and quarantine ({@code bin/mailroot folder})
 * @param search      every place a message can be ({@code bin/mailroot trace})
 * @param doctor      the server's doctor runs ({@code bin/mailroot doctor}); null when off
 * @param history     the last hour of mail flow, minute by minute, and per-binding figures
 * @param clock       the server's clock
 */
public record ConsoleServices(Home home, MailrootConfig config, Credentials credentials, BindingStore bindings, LiveState live,
                              Supplier<Health> health, Spool spool, OutboundQueue outbound,
                              Supplier<Optional<Directory>> directory, RecentProblems problems, Folders folders,
                              MessageSearch search, DoctorSchedule doctor, History history, Clock clock) {
}
