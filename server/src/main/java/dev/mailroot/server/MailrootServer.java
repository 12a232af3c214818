package dev.mailroot.server;

import dev.mailroot.bindings.BindingRegistry;
import dev.mailroot.bindings.BindingStore;
import dev.mailroot.bindings.BindingStoreException;
import dev.mailroot.bindings.Versions;
import dev.mailroot.server.address.LocalRecipients;
import dev.mailroot.server.admin.AdminEndpoint;
import dev.mailroot.server.console.Console;
import dev.mailroot.server.console.ConsoleServices;
import dev.mailroot.server.console.Credentials;
import dev.mailroot.server.console.RecentProblems;
import dev.mailroot.server.folders.Folders;
import dev.mailroot.server.tracking.MessageSearch;
import dev.mailroot.server.admin.LiveState;
import dev.mailroot.server.admin.AdminToken;
import dev.mailroot.server.admin.Health;
import dev.mailroot.server.config.LogLevels;
import dev.mailroot.server.badmail.Badmail;
import dev.mailroot.server.protocol.ProtocolEvents;
import dev.mailroot.server.protocol.Quarantine;
import dev.mailroot.server.directory.DirectoryFile;
import dev.mailroot.server.sieve.SieveRules;
import dev.mailroot.server.sieve.SieveScripts;
import dev.mailroot.server.sieve.VacationMemory;
import dev.mailroot.server.directory.LiveDirectory;
import dev.mailroot.server.protocol.SessionlessEvents;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.delivery.LocalDelivery;
import dev.mailroot.server.dispatch.BindingChain;
import dev.mailroot.server.dispatch.BindingHealth;
import dev.mailroot.server.dispatch.Dispatcher;
import dev.mailroot.server.dispatch.SinkChain;
import dev.mailroot.server.doctor.Doctor;
import dev.mailroot.server.doctor.DoctorSchedule;
import dev.mailroot.server.doctor.InProcessView;
import dev.mailroot.server.pickup.PickupDirectory;
import dev.mailroot.server.pipeline.QueueRunner;
import dev.mailroot.server.outbound.Bounces;
import dev.mailroot.server.outbound.OutboundQueue;
import dev.mailroot.server.outbound.RemoteDeliveryEvent;
import dev.mailroot.server.outbound.SmtpTransport;
import dev.mailroot.server.pipeline.PoisonMessages;
import dev.mailroot.host.plugins.PluginFolders;
import dev.mailroot.server.plugins.PluginHost;
import dev.mailroot.server.plugins.ServiceEnvironment;
import dev.mailroot.server.pipeline.RetryPolicy;
import dev.mailroot.server.smtp.SmtpListeners;
import dev.mailroot.server.tls.ServerKeys;
import dev.mailroot.server.admission.Admission;
import dev.mailroot.server.dispatch.CallLog;
import dev.mailroot.server.metrics.FolderGauges;
import dev.mailroot.server.metrics.History;
import dev.mailroot.server.metrics.MetricsRoute;
import dev.mailroot.server.metrics.QueueGauges;
import dev.mailroot.server.metrics.ServerMetrics;
import dev.mailroot.server.tracking.MessageTracking;
import dev.mailroot.server.tracking.TraceLookup;
import dev.mailroot.server.spool.MessageIds;
import dev.mailroot.server.spool.Spool;
import dev.mailroot.server.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A running Mailroot: wires intake, spool, OnSubmission stage, delivery and badmail, and stops
 * them in the order that loses nothing (intake first, the spool last).
 */
public final class MailrootServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MailrootServer.class);
    /** Pickup files claimed per scan at most: the bound on the pickup's memory. */
    private static final int PICKUP_BATCH = 10_000;

    private final Home home;
    private final AdminEndpoint admin;
    private final MailrootConfig config;
    private final Spool spool;
    private final QueueRunner queue;
    private final OutboundQueue outbound;
    private final SmtpListeners smtp;
    private final PickupDirectory pickup;
    private final List<AutoCloseable> framework;
    private final PluginHost plugins;
    private final Dispatcher dispatcher;
    /** The protocol events, or null (a server with in-process sinks). */
    private final ProtocolEvents protocol;
    private final BindingHealth health;
    private final DoctorSchedule doctor;
    private final ServerMetrics metrics;
    private final History history;
    private boolean stopped;

    private MailrootServer(Home home, MailrootConfig config, Spool spool, QueueRunner queue, OutboundQueue outbound,
                           SmtpListeners smtp,
                           PickupDirectory pickup, AdminEndpoint admin, List<AutoCloseable> framework, PluginHost plugins,
                           Dispatcher dispatcher, ProtocolEvents protocol, BindingHealth health, DoctorSchedule doctor,
                           ServerMetrics metrics, History history) {
        this.metrics = metrics;
        this.history = history;
        this.home = home;
        this.admin = admin;
        this.config = config;
        this.spool = spool;
        this.queue = queue;
        this.outbound = outbound;
        this.smtp = smtp;
        this.pickup = pickup;
        this.framework = framework;
        this.plugins = plugins;
        this.dispatcher = dispatcher;
        this.protocol = protocol;
        this.health = health;
        this.doctor = doctor;
    }

    /**
     * Starts a server in {@code home} with the event-sink framework: plugins from {@code plugins/},
     * bindings from {@code conf/bindings.yaml}. Recovers the spool, resumes what was in it, then
     * opens SMTP.
     */
    public static MailrootServer start(Home home, MailrootConfig config, Clock clock) throws IOException {
        return start(home, config, clock, null);
    }

    /**
     * Starts a server whose OnSubmission stage runs {@code sinks} instead of the plugins' bindings
     * (in-process sinks, for tests and embedding).
     */
    public static MailrootServer start(Home home, MailrootConfig config, SinkChain sinks, Clock clock)
            throws IOException {
        return start(home, config, clock, sinks);
    }

    private static MailrootServer start(Home home, MailrootConfig config, Clock clock, SinkChain given)
            throws IOException {
        home.create();
        LogLevels.apply(config.logging());
        List<AutoCloseable> framework = new ArrayList<>();
        Spool spool = Spool.open(home.queue(), Spool.Options.defaults());
        // one registry for the whole server, handed to the parts that count (GET /metrics)
        ServerMetrics metrics = ServerMetrics.create();
        // closed with the framework (a meter used after that counts nothing, and throws nothing)
        framework.add(metrics);
        PluginHost plugins = null;
        try {
            BindingStore store = new BindingStore(home.bindingsFile());
            BindingHealth health = new BindingHealth(given == null ? store : null, clock);
            framework.add(health);
            BindingChain chain = null;
            if (given == null) {
                if (!Files.exists(home.bindingsFile())) {
                    store.write(BindingRegistry.empty());
                }
                plugins = new PluginHost(pluginFolders(home, config), home.loadedPlugins(), store,
                        serviceEnvironment(home, config, metrics), new PluginHost.Limits(
                        Duration.ofSeconds(config.plugins().loadTimeoutSeconds()), Duration.ofSeconds(60)));
                framework.add(plugins);
                chain = new BindingChain(store, plugins::catalog);
                framework.add(0, chain);
            }
            // the protocol events run the plugins' bindings; a server with in-process sinks runs none
            ProtocolEvents protocol = chain == null ? null : new ProtocolEvents(chain, health, 256, metrics);
            if (protocol != null) {
                framework.add(0, protocol);
            }
            MessageTracking tracking = new MessageTracking();
            Quarantine quarantine = new Quarantine(home.quarantine(), clock, tracking);
            Dispatcher dispatcher = new Dispatcher(given == null ? chain : given, health, CallLog.of(spool),
                    config.delivery().threads(), 32, clock, metrics);
            framework.add(0, dispatcher);
            LiveDirectory directory = new LiveDirectory(new DirectoryFile(home.mailboxesFile(), config.domains())).start();
            framework.add(directory);
            LocalRecipients recipients = new LocalRecipients(config.domains(), home.mailboxes(),
                    config.mailboxes().autoCreate(), directory::current);
            if (protocol != null) {
                dispatcher.beforeChain(new SessionlessEvents(protocol, recipients, quarantine, clock));
            }
            PoisonMessages poison = new PoisonMessages(new Badmail(home.poison(), clock, "Mailroot poison message report"),
                    health, config.plugins().poisonThreshold());
            // SMTP, pickup and mail sent by sinks all go in through admission, which hands to the queue
            Admission admission = new Admission(recipients, spool, new MessageIds(clock), clock, config.smtp().hostname(), null);
            LocalDelivery delivery = new LocalDelivery(recipients, config.smtp().hostname(), clock, config.mailboxes().crlf());
            if (config.delivery().lmtp() != null && config.delivery().lmtp().enabled()) {
                delivery.lmtp(config.delivery().lmtp().address(), config.delivery().lmtp().timeout(), config.domains().get(0));
            }
            delivery.rules(new SieveRules(home.sieve(), new SieveScripts(), new VacationMemory(home.mailroot().resolve("sieve-state")),
                    admission::resubmit, directory::current, clock, config.smtp().hostname()));
            QueueRunner queue = new QueueRunner(spool, dispatcher, delivery,
                    new Badmail(home.badmail(), clock), poison, config.delivery().threads(),
                    RetryPolicy.standard(Duration.ofHours(config.delivery().giveUpAfterHours())), clock, admission,
                    tracking, metrics);
            admission.handOff(queue::enqueue);
            MailrootConfig.Outbound oc = config.outbound();
            OutboundQueue outbound = new OutboundQueue(spool, new SmtpTransport(oc, config.smtp().hostname(), delivery, null),
                    new OutboundQueue.Settings(oc.threads(), oc.perDestination(), oc.maxRecipients(),
                            MailrootConfig.Outbound.duration(oc.retryFirst()), MailrootConfig.Outbound.duration(oc.retryMax()),
                            MailrootConfig.Outbound.duration(oc.lifetime()), MailrootConfig.Outbound.duration(oc.delayWarning())),
                    clock, tracking, new Badmail(home.badmail(), clock), metrics);
            outbound.reports(new Bounces(config.smtp().hostname(), admission::bounce, clock, metrics));
            if (protocol != null) {
                outbound.beforeAttempt(new RemoteDeliveryEvent(protocol, spool, clock));
            }
            queue.outbound(outbound);
            Set<String> liveIds = spool.recovered().stream().map(SpoolEntry::id).collect(Collectors.toSet());
            // poison messages are set aside (and their bindings disabled) before the bindings are read
            queue.resume(spool.recovered());
            if (chain != null) {
                chain.start();
                plugins.onChange(chain::sinksChanged);
                plugins.onChange(queue::sinksChanged);
                plugins.start();
            }
            // read before anything starts: a bad certificate stops the start with nothing left running
            ServerKeys keys = serverKeys(home, config);
            PickupDirectory pickup = null;
            if (config.pickup().enabled()) {
                int workers = Math.max(1, Math.min(4, config.delivery().threads()));
                pickup = new PickupDirectory(home.pickup(), home.instanceId(), new PickupDirectory.Settings(
                        Duration.ofMillis(config.pickup().settleMillis()), Duration.ofSeconds(config.pickup().rescanSeconds()),
                        workers, PICKUP_BATCH, config.pickup().watch()), admission, new Badmail(home.badmail(), clock),
                        config.smtp().maxMessageSize(), clock, metrics);
                pickup.start(liveIds);
            }
            SmtpListeners smtp = new SmtpListeners(config, keys, directory::current, admission, protocol,
                    quarantine, clock, metrics);
            History history = metrics(metrics, home, spool, outbound, keys, store, clock, framework);
            AdminEndpoint admin;
            DoctorSchedule doctor;
            try {
                try {
                    smtp.start();
                } catch (SmtpListeners.ListenerException e) {
                    throw new ListenException(e.listener().bind(), e.listener().port(), config.listeners().isEmpty()
                            ? "smtp.port" : "listeners[" + e.index() + "].port", e.getCause());
                }
                PluginHost host = plugins;
                String token = AdminToken.ensure(home.adminTokenFile());
                java.util.function.Supplier<Health> healthNow = () -> new Health(spool.size(),
                        queue.inFlight(), queue.waiting(), host == null ? List.of() : List.copyOf(host.loadedPlugins()),
                        smtp.describe(), home.root().toString(), smtp.bound(), ProcessHandle.current().pid());
                LiveState live = new LiveState(chain, plugins);
                admin = new AdminEndpoint(config.admin(), token, healthNow, plugins, live, clock).queue(spool::entries, outbound)
                        // GET /trace: the spool's messages by id or Message-ID, or by sender, recipient, subject, time
                        .route("GET", "/trace", new dev.mailroot.server.admin.TraceRoute(new TraceLookup(spool::entries), clock))
                        .route("GET", "/metrics", new MetricsRoute(metrics));
                framework.add(0, admin);
                doctor = doctor(home, config, clock, admin, new InProcessView(() -> healthNow.get().json(), live::bindingsJson,
                        () -> dev.mailroot.server.outbound.QueueView.lines(spool.entries(), clock.instant()), plugins));
                framework.add(0, doctor);
                RecentProblems problems = RecentProblems.attach();
                framework.add(problems);
                admin.prefix("/ui/", new Console(new ConsoleServices(home, config, new Credentials(token, home.adminPasswordFile()),
                        store, live, healthNow, spool, outbound, directory::current, problems, new Folders(home, clock),
                        new MessageSearch(home, spool::entries), doctor, history, clock), clock));
                writeAdminPort(home, admin.port());
            } catch (IOException | RuntimeException e) {
                smtp.stop(Duration.ZERO);
                if (pickup != null) {
                    pickup.close();
                }
                queue.stop(Duration.ZERO);
                outbound.stop(Duration.ZERO);
                throw e;
            }
            // mail resumed or accepted meanwhile waits until the plugins present now have loaded
            // (each within its time limit), so it never passes a filter that is still loading
            if (plugins == null) {
                queue.open();
            } else {
                BindingChain c = chain;
                // the host's own time limits end the wait; this one only guards against a bug in them
                long guard = config.plugins().loadTimeoutSeconds() * 2L + 60;
                plugins.initialLoad().orTimeout(guard, java.util.concurrent.TimeUnit.SECONDS).whenComplete((v, e) -> {
                    if (e != null) {
                        log.error("MR4012 the plugins present at start have not finished loading after {} s; mail is "
                                + "processed without waiting for them any longer", guard);
                    }
                    c.pluginsLoaded();
                    queue.open();
                });
            }
            log.info("Mailroot {} started in {} (domains {}, {} message(s) in the spool)", Versions.BUILD, home.root(),
                    config.domains(), spool.size());
            return new MailrootServer(home, config, spool, queue, outbound, smtp, pickup, admin, framework, plugins, dispatcher,
                    protocol, health, doctor.start(), metrics, history);
        } catch (BindingStoreException e) {
            closeAll(framework);
            spool.close();
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            closeAll(framework);
            spool.close();
            throw e;
        }
    }

    /**
     * The certificate every TLS listener presents: {@code tls.cert} and {@code tls.key} (relative to
     * {@code conf/}), read now so bad files stop the start; without them a self-signed one in
     * {@code mailroot/tls/}, made at the first handshake.
     */
    private static ServerKeys serverKeys(Home home, MailrootConfig config) throws IOException {
        if (!config.tls().configured()) {
            return ServerKeys.selfSigned(home.mailroot().resolve("tls"), config.smtp().hostname());
        }
        try {
            return ServerKeys.fromFiles(home.conf().resolve(config.tls().cert()), home.conf().resolve(config.tls().key()));
        } catch (IOException e) {
            throw new IOException("tls: " + e.getMessage(), e);
        }
    }

    /**
     * The folders plugins load from: {@code plugins/} of the home, and the plugins bundled with
     * Mailroot (the folder the launcher names in the system property {@code mailroot.bundledPlugins})
     * unless {@code plugins.bundled} is false.
     */
    public static PluginFolders pluginFolders(Home home, MailrootConfig config) {
        return PluginFolders.of(home.plugins(), config.plugins().bundled());
    }

    /** What plugin services see of the server: its folders and local domains (the running server and offline commands alike). */
    public static ServiceEnvironment serviceEnvironment(Home home, MailrootConfig config) {
        return new ServiceEnvironment(home.pickup(), home.mailroot(), home.conf(), config.domains());
    }

    private static ServiceEnvironment serviceEnvironment(Home home, MailrootConfig config, ServerMetrics metrics) {
        return new ServiceEnvironment(home.pickup(), home.mailroot(), home.conf(), config.domains(), metrics::connector);
    }

    /**
     * The gauges read at each scrape or counted once a minute, and the console's history (sampled
     * each minute); their threads stop with {@code framework}.
     */
    private static History metrics(ServerMetrics metrics, Home home, Spool spool, OutboundQueue outbound, ServerKeys keys,
                                   BindingStore store, Clock clock, List<AutoCloseable> framework) {
        QueueGauges.register(metrics, spool, outbound, keys, clock);
        java.util.Map<String, Boolean> lastBindings = new java.util.concurrent.ConcurrentHashMap<>();
        metrics.bindingsDisabled(() -> {
            try {
                java.util.Map<String, Boolean> now = new java.util.TreeMap<>();
                store.read().bindings().forEach(b -> now.merge(b.name(), !b.enabled(), Boolean::logicalOr));
                lastBindings.clear();
                lastBindings.putAll(now);
            } catch (BindingStoreException | RuntimeException e) {
                log.debug("the bindings could not be read for the metrics: {}", e.toString());
            }
            return lastBindings;
        });
        framework.add(new FolderGauges(metrics, java.util.Map.of("badmail", home.badmail(), "poison", home.poison(),
                "quarantine", home.quarantine(), "pop3_failed", home.mailroot().resolve("pop3").resolve("failed")),
                home.pickup(), home.root(), clock).start(Duration.ofMinutes(1)));
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-history");
            t.setDaemon(true);
            return t;
        });
        framework.add(timer::shutdownNow);
        return new History(metrics, clock).start(timer);
    }

    /** {@code mailroot/admin.port}: where {@code bin/mailroot retrieve} finds the running server's admin endpoint. */
    private static void writeAdminPort(Home home, int port) throws IOException {
        Path tmp = home.mailroot().resolve(".admin.port.tmp");
        Files.writeString(tmp, port + "\n");
        Files.move(tmp, home.adminPortFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The server's own doctor, for {@code GET /doctor}, {@code POST /doctor/run} and the console:
     * {@link DoctorSchedule#latest()} is the last report, {@link DoctorSchedule#runNow()} runs every check now.
     */
    public DoctorSchedule doctor() {
        return doctor;
    }

    /**
     * The server's doctor, run every {@code doctor.intervalMinutes}, served at {@code GET /doctor}
     * (the latest report as JSON lines; the first request runs one) and {@code POST /doctor/run}.
     */
    private static DoctorSchedule doctor(Home home, MailrootConfig config, Clock clock, AdminEndpoint admin, InProcessView view) {
        DoctorSchedule d = new DoctorSchedule(new Doctor(home, config, view, clock),
                Duration.ofMinutes(config.doctor().intervalMinutes()));
        admin.route("GET", "/doctor", (ex, q) -> AdminEndpoint.reply(ex, 200, d.latest().orElseGet(d::runNow).jsonLines()));
        admin.route("POST", "/doctor/run", (ex, q) -> AdminEndpoint.reply(ex, 200, d.runNow().jsonLines()));
        return d;
    }

    /** The admin endpoint's port. */
    public int adminPort() {
        return admin.port();
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /**
     * Waits until the plugins present at start have loaded (or failed, or run out of time), at most
     * {@code max}: the moment mail starts to pass the sinks.
     *
     * @return whether they had by then
     */
    public boolean awaitPlugins(Duration max) throws InterruptedException {
        if (plugins == null) {
            return true;
        }
        try {
            plugins.initialLoad().get(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    /** The server's meters (what {@code GET /metrics} exposes). */
    public ServerMetrics metrics() {
        return metrics;
    }

    /** The console's figures: the last hour minute by minute ({@link History#lastHour()}) and each binding's ({@link History#bindings()}). */
    public History history() {
        return history;
    }

    /** The plugin host, or null when the server runs in-process sinks. */
    public PluginHost plugins() {
        return plugins;
    }

    /** The port of the first SMTP listener (the {@code mx} one without {@code listeners:}). */
    /** Every SMTP listener's {@code bind:port}, comma-separated, in the configured order. */
    public String smtpAddresses() {
        return smtp.describe();
    }

    public int smtpPort() {
        return smtp.port();
    }

    /** The port SMTP listener {@code name} bound; -1 if there is none of that name. */
    public int smtpPort(String name) {
        return smtp.port(name);
    }

    public Spool spool() {
        return spool;
    }

    /** The outbound queue: remote recipients. */
    public OutboundQueue outbound() {
        return outbound;
    }

    /** The queue runner that moves spooled messages through the sinks and delivery. */
    public QueueRunner queue() {
        return queue;
    }

    /**
     * Called when plugin code ends the process without a stop request (a {@code System.exit} the
     * load-time check did not see): if {@code caller} is a sink thread in a call, that binding is
     * disabled at once, so the restart that follows does not meet it again.
     *
     * @return what was done, for the log line about the exit
     */
    public String blameExit(Thread caller) {
        var bound = dispatcher.callOn(caller);
        if (bound.isEmpty() && protocol != null) {
            bound = protocol.callOn(caller);
        }
        if (bound.isPresent()) {
            var b = bound.get().binding();
            String cause = "its sink called System.exit (or Runtime.exit) during a call: the server's process ended";
            boolean recorded = health.disableNow(b.id(), b.name(), 1, cause);
            return "binding " + bound.get().describe() + " (" + b.sinkClass() + ") was calling; it is "
                    + (recorded ? "disabled" : "to be disabled by hand ('registry disable')");
        }
        return "no sink call was running on the calling thread";
    }

    /** A stop requested by a signal: {@link #stop(boolean) stop(true)}. */
    public void stop() {
        stop(true);
    }

    /**
     * Stops: SMTP refuses new work and lets transactions in DATA finish, messages being processed
     * finish (within {@code shutdownGraceSeconds}), and what is left stays in the spool.
     *
     * @param planned false after a fatal error: sink calls still open then count against their
     *                messages (poison-message protection), as a death would
     */
    public void stop(boolean planned) {
        stop(id -> !planned);
    }

    /**
     * Stops after plugin code called {@code System.exit} on {@code caller}: only the message whose
     * sink call {@code caller} was running (if any) has its open call count against it; the others
     * were not in the call that ended the process.
     */
    public void stopAfterExit(Thread caller) {
        String guilty = dispatcher.messageOn(caller).orElse(null);
        stop(id -> id.equals(guilty));
    }

    private synchronized void stop(java.util.function.Predicate<String> diedInCall) {
        if (stopped) {
            return;
        }
        stopped = true;
        Duration grace = Duration.ofSeconds(config.shutdownGraceSeconds());
        long started = System.nanoTime();
        try {
            Files.deleteIfExists(home.adminPortFile());
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", home.adminPortFile(), e.toString());
        }
        smtp.stop(grace);
        if (pickup != null) {
            pickup.close();
        }
        Duration left = grace.minusNanos(System.nanoTime() - started);
        queue.stop(left.isNegative() ? Duration.ZERO : left);
        left = grace.minusNanos(System.nanoTime() - started);
        outbound.stop(left.isNegative() ? Duration.ZERO : left);
        closeAll(framework);
        try {
            spool.close(diedInCall);
        } catch (IOException e) {
            log.error("closing the spool failed: {}", e.toString());
        }
        log.info("Mailroot stopped ({} message(s) left in the spool for the next start)", spool.size());
    }

    @Override
    public void close() {
        stop();
    }
}
