package dev.mailroot.server;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * How the server's process ends, so that a supervisor can tell a stop from a failure: status 0
 * only after a stop request (SIGTERM, Ctrl-C); {@link #UNPLANNED} (3) when anything else ends it:
 * plugin code calling {@code System.exit} (whatever status it asks for), or a fatal error such as
 * {@link OutOfMemoryError} in the server's own threads. Either way the server first stops as it
 * does on SIGTERM (what was accepted stays in the spool), and the log says why ({@code MR1015}).
 *
 * <p>{@code Runtime.halt} and {@code kill -9} skip all of this: the process is gone at once; the
 * exit status is whatever they say, and poison-message protection handles the message that was
 * being processed at the next start.
 */
final class ProcessExit {
    private static final Logger log = LoggerFactory.getLogger(ProcessExit.class);

    /** Stopped on request. */
    static final int STOPPED = 0;
    /** Stopped without a stop request: a plugin called {@code System.exit}, or a fatal error. */
    static final int UNPLANNED = 3;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile MailrootServer server;
    private volatile String fatal;
    private volatile Integer requested;

    private ProcessExit() {
    }

    /**
     * Installs the shutdown hook and the handler of uncaught errors, before the server starts (a
     * plugin may end the process while it loads).
     */
    static ProcessExit install() {
        ProcessExit exit = new ProcessExit();
        Thread.setDefaultUncaughtExceptionHandler(exit::uncaught);
        Runtime.getRuntime().addShutdownHook(new Thread(exit::onShutdown, "shutdown"));
        return exit;
    }

    /** The server is running: a shutdown from now on stops it first. */
    void serving(MailrootServer s) {
        this.server = s;
    }

    /** Ends the process with {@code status} on the command's own account (it could not start, a bad option). */
    void exit(int status) {
        requested = status;
        System.exit(status);
    }

    /** Waits until the process is ending (the shutdown hook has stopped the server). */
    void await() throws InterruptedException {
        stopped.await();
    }

    private void onShutdown() {
        Thread caller = exitCaller();
        boolean signal = caller != null && caller.getName().startsWith("SIG") && inStack(caller, "java.lang.Terminator");
        boolean planned = fatal == null && (signal || caller == null || requested != null);
        MailrootServer server = this.server;
        if (fatal != null) {
            log.error("MR1015 the server stops after a fatal error ({}); exit status {} so that a supervisor restarts it",
                    fatal, UNPLANNED);
        } else if (!planned) {
            log.error("MR1015 the process is ending without a stop request: {} called System.exit (at {}); {}. The server "
                            + "stops as on SIGTERM and exits with status {} so that a supervisor restarts it",
                    caller.getName(), callSite(caller), server == null ? "it was starting" : server.blameExit(caller),
                    UNPLANNED);
        }
        if (server == null) {
            ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
            Runtime.getRuntime().halt(requested != null ? requested : planned ? STOPPED : UNPLANNED);
            return;
        }
        try {
            if (planned || fatal != null) {
                server.stop(planned);
            } else {
                server.stopAfterExit(caller);
            }
        } finally {
            stopped.countDown();
            ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
            Runtime.getRuntime().halt(planned ? STOPPED : UNPLANNED);
        }
    }

    /**
     * An exception no code caught. An {@link Error} of the virtual machine (out of memory, stack
     * overflow, internal error) leaves the process in doubt: the server stops and exits with
     * {@link #UNPLANNED}. Anything else is logged and the thread's work is lost, not the server.
     */
    private void uncaught(Thread t, Throwable e) {
        if (e instanceof VirtualMachineError) {
            if (fatal == null) {
                fatal = e + " in thread " + t.getName();
                if (e instanceof StackOverflowError) {
                    log.error("MR1015 {} in thread {}: stopping", e, t.getName());
                } else {
                    log.error("MR1015 {} in thread {}: stopping", e, t.getName(), e);
                }
                Thread exit = new Thread(() -> System.exit(UNPLANNED), "fatal-exit");
                exit.setDaemon(true);
                exit.start();
            }
            return;
        }
        boolean plugin = t.getContextClassLoader() instanceof org.pf4j.PluginClassLoader;
        log.error("{} an exception nobody caught ended thread {}{}", plugin ? "MR4017" : "MR1015", t.getName(),
                plugin ? " (a plugin's thread)" : "", e);
    }

    /** The thread that called {@code System.exit} (or the signal handler that did), or null if none is seen. */
    private static Thread exitCaller() {
        Thread self = Thread.currentThread();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey() == self) {
                continue;
            }
            for (StackTraceElement f : e.getValue()) {
                if (f.getClassName().equals("java.lang.Shutdown") && f.getMethodName().equals("exit")) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    private static boolean inStack(Thread t, String classPrefix) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith(classPrefix)) {
                return true;
            }
        }
        return false;
    }

    /** The first frame below {@code System.exit} / {@code Runtime.exit}: the code that asked for the exit. */
    private static String callSite(Thread t) {
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < stack.length - 1; i++) {
            String c = stack[i].getClassName();
            String m = stack[i].getMethodName();
            if ((c.equals("java.lang.System") || c.equals("java.lang.Runtime")) && m.equals("exit")) {
                for (int j = i + 1; j < stack.length; j++) {
                    String caller = stack[j].getClassName();
                    if (!caller.startsWith("java.") && !caller.startsWith("jdk.internal.") && !caller.startsWith("sun.")) {
                        return stack[j].toString();
                    }
                }
            }
        }
        return "an unknown place";
    }
}
