package dev.mailroot.pop3;

import dev.mailroot.sink.CommandResult;
import dev.mailroot.sink.MailrootService;
import dev.mailroot.sink.ServiceConfigException;
import dev.mailroot.sink.ServiceContext;
import org.pf4j.Extension;
import org.slf4j.Logger;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The POP3 connector's downloader: reads {@code conf/pop3-connector.yaml}, retrieves each account
 * once at start and then every {@code intervalMinutes}, and answers the {@code retrieve} ("Retrieve
 * Now"), {@code check} and {@code status} (each account's runs, one JSON object per line) commands;
 * it counts its downloads and failures in the server's metrics. Its folders are {@code mailroot/pop3/incoming/},
 * {@code failed/} and {@code state/}.
 */
@Extension
public final class Pop3ConnectorService implements MailrootService {

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** Each account's runs since the start, by account name (the status command, the metrics). */
    private final Map<String, AccountStatus> status = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
    private volatile ServiceContext context;
    private final java.time.Clock clock = java.time.Clock.systemUTC();

    @Override
    public String dataFolder() {
        return "pop3";
    }

    @Override
    public void start(ServiceContext ctx) throws Exception {
        Logger log = ctx.logger();
        Files.createDirectories(Retrieval.incomingOf(ctx.dataDirectory()));
        Files.createDirectories(Retrieval.failedOf(ctx.dataDirectory()));
        Accounts accounts = accounts(ctx);
        for (Account a : accounts.accounts()) {
            schedules.add(ctx.scheduler().scheduleWithFixedDelay(() -> retrieve(ctx, a), 0, a.intervalMinutes(),
                    TimeUnit.MINUTES));
        }
        context = ctx;
        log.info("MR5009 POP3 connector started: {} account(s) {}", accounts.accounts().size(),
                accounts.accounts().stream().map(a -> a.name() + " every " + a.intervalMinutes() + " min").toList());
    }

    @Override
    public void stop() {
        schedules.forEach(s -> s.cancel(false));
        schedules.clear();
        context = null;
    }

    @Override
    public CommandResult command(String command, Map<String, String> parameters, ServiceContext ctx) {
        if (!command.equals("retrieve") && !command.equals("check") && !command.equals("status")) {
            return CommandResult.unknown(command); // before the accounts: a typo is not a configuration problem
        }
        Accounts accounts = accounts(ctx);
        String only = parameters.get("account");
        List<Account> chosen = accounts.accounts().stream().filter(a -> only == null || a.name().equals(only)).toList();
        StringBuilder report = new StringBuilder();
        accounts.problems().forEach(p -> report.append(p).append('\n'));
        if (only != null && chosen.isEmpty()) {
            return CommandResult.failed(report + "no usable account named '" + only + "' in " + ctx.configFile());
        }
        if (chosen.isEmpty()) {
            return CommandResult.failed(report + "no usable account in " + ctx.configFile());
        }
        boolean ok = accounts.problems().isEmpty() || only != null;
        switch (command) {
            case "retrieve" -> {
                if (context == null) {
                    return CommandResult.failed("the POP3 connector is not running in a server");
                }
                for (Account a : chosen) {
                    Retrieval.Report r = retrieve(ctx, a);
                    report.append(r.line()).append('\n');
                    ok &= r.error() == null;
                }
            }
            case "status" -> {
                // one JSON object per line: each account (what the console's POP3 page shows), then
                // each configuration problem as {"problem": ...}
                StringBuilder lines = new StringBuilder();
                for (Account a : chosen) {
                    lines.append(status(ctx, a.name()).json(a)).append('\n');
                }
                accounts.problems().forEach(p -> lines.append("{\"problem\":").append(AccountStatus.quote(p)).append("}\n"));
                return ok ? CommandResult.ok(lines.toString()) : CommandResult.failed(lines.toString());
            }
            case "check" -> {
                for (Account a : chosen) {
                    Pop3Check.Result r = Pop3Check.run(a);
                    report.append(r.report());
                    ok &= r.ok();
                }
            }
            default -> {
                return CommandResult.unknown(command);
            }
        }
        return ok ? CommandResult.ok(report.toString()) : CommandResult.failed(report.toString());
    }

    /** Runs one retrieval of {@code a}, after any that is running for it. */
    private Retrieval.Report retrieve(ServiceContext ctx, Account a) {
        ReentrantLock lock = locks.computeIfAbsent(a.name(), n -> new ReentrantLock());
        AccountStatus st = status(ctx, a.name());
        lock.lock();
        Retrieval.Report r = null;
        try {
            st.started();
            Transfer transfer = new Transfer(ctx.pickupDirectory(), Retrieval.failedOf(ctx.dataDirectory()),
                    ctx.localDomains().get(0));
            r = new Retrieval(a, ctx.dataDirectory(), transfer, ctx.logger()).run();
            return r;
        } catch (RuntimeException e) {
            ctx.logger().error("MR5006 account {}: the retrieval failed: {}", a.name(), e.toString(), e);
            r = new Retrieval.Report(a.name(), 0, 0, 0, e.toString());
            return r;
        } finally {
            st.ended(r != null ? r : new Retrieval.Report(a.name(), 0, 0, 0, "the retrieval ended abnormally"), clock.instant());
            lock.unlock();
        }
    }

    private AccountStatus status(ServiceContext ctx, String account) {
        return status.computeIfAbsent(account, n -> new AccountStatus(n, ctx.metrics()));
    }

    private static Accounts accounts(ServiceContext ctx) {
        Accounts accounts;
        try {
            accounts = Accounts.parse(ctx.readConfig(), ctx.configFile().getParent());
        } catch (ServiceConfigException e) {
            accounts = new Accounts(List.of(), List.of(e.getMessage()));
        }
        for (String p : accounts.problems()) {
            ctx.logger().error("MR5001 {}", p);
        }
        return accounts;
    }

}
