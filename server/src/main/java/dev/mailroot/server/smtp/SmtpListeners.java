package dev.mailroot.server.smtp;

import dev.mailroot.server.admission.Admission;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.directory.Directory;
import dev.mailroot.server.protocol.ProtocolEvents;
import dev.mailroot.server.protocol.Quarantine;
import dev.mailroot.server.tls.ServerKeys;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Every SMTP listener of the server ({@code listeners:}, or the one the {@code smtp:} keys
 * describe), one SubEthaSMTP server each, sharing the certificate, the password check and its
 * lockout, and the relay rules.
 */
public final class SmtpListeners {
    private final List<SmtpIntake> intakes = new ArrayList<>();

    /**
     * @param keys       the server's certificate (made lazily when self-signed)
     * @param directory  the mailbox directory in force, for AUTH and the sender check
     * @param events     the protocol events, or null to run none
     * @param quarantine where OnEndOfData sinks' quarantined messages go; null when {@code events} is
     */
    public SmtpListeners(MailrootConfig config, ServerKeys keys, Supplier<Optional<Directory>> directory, Admission admission,
                         ProtocolEvents events, Quarantine quarantine, Clock clock) {
        this(config, keys, directory, admission, events, quarantine, clock, dev.mailroot.server.metrics.ServerMetrics.disabled());
    }

    /** As above, counting each listener's connections, refusals and messages in {@code metrics}. */
    public SmtpListeners(MailrootConfig config, ServerKeys keys, Supplier<Optional<Directory>> directory, Admission admission,
                         ProtocolEvents events, Quarantine quarantine, Clock clock, dev.mailroot.server.metrics.ServerMetrics metrics) {
        Logins logins = new Logins(directory, config.auth(), clock);
        List<Network> trusted = config.relay().trustedNetworks().stream().map(Network::parse).toList();
        for (MailrootConfig.Listener l : config.effectiveListeners()) {
            intakes.add(new SmtpIntake(config.smtp(), new Access(l, logins, trusted, metrics.listener(l.name())), keys, admission, events, quarantine));
        }
    }

    /**
     * Opens every listener, in order.
     *
     * @throws ListenerException naming the listener that could not listen; those already open are closed
     */
    public void start() throws ListenerException {
        for (int i = 0; i < intakes.size(); i++) {
            SmtpIntake intake = intakes.get(i);
            try {
                intake.start();
            } catch (IOException e) {
                stop(Duration.ZERO);
                throw new ListenerException(intake.listener(), i, e);
            }
        }
    }

    /** The port the first listener bound (the {@code mx} one without {@code listeners:}). */
    public int port() {
        return intakes.get(0).port();
    }

    /** The port listener {@code name} bound; -1 if there is no such listener. */
    public int port(String name) {
        return intakes.stream().filter(i -> i.listener().name().equalsIgnoreCase(name)).findFirst().map(SmtpIntake::port).orElse(-1);
    }

    /** Every listener as {@code name=bind:port}, for the health report. */
    public String describe() {
        return String.join(", ", intakes.stream().map(i -> i.listener().bind() + ":" + i.port()).toList());
    }

    /** Every listener as configured, with the port it bound (for {@code /health} and the doctor). */
    public java.util.List<MailrootConfig.Listener> bound() {
        return intakes.stream().map(i -> i.listener().withPort(i.port())).toList();
    }

    /** Stops every listener (see {@link SmtpIntake#stop}), sharing one grace period. */
    public void stop(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        for (SmtpIntake i : intakes) {
            i.stop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /** A listener that could not open its port. */
    public static final class ListenerException extends IOException {
        private final MailrootConfig.Listener listener;
        private final int index;

        ListenerException(MailrootConfig.Listener listener, int index, IOException cause) {
            super(cause.getMessage(), cause);
            this.listener = listener;
            this.index = index;
        }

        public MailrootConfig.Listener listener() {
            return listener;
        }

        /** Its index in {@code listeners:}, for the configuration key. */
        public int index() {
            return index;
        }
    }
}
