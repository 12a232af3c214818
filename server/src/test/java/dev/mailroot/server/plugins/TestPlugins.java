package dev.mailroot.server.plugins;

import java.nio.file.Path;
import java.util.Map;

/** Sources of the plugins the framework tests build. */
public final class TestPlugins {
    private TestPlugins() {
    }

    /**
     * One sink whose behaviour its binding chooses with the sink property {@code action}: tag
     * (add {@code X-Tag: <binding name>}), skip (tag, then skip the remaining sinks), abort,
     * badmail, throw (after a half-made change), hang (after a half-made change; ignores interrupts
     * until the file named by {@code release} exists), mime (tag with the subject read through
     * Jakarta Mail), tccl (tag with whether the context class loader is the plugin's).
     */
    public static final String ACTION_SINK = """
            package test.sinks;

            import dev.mailroot.sink.*;
            import org.pf4j.Extension;
            import java.nio.file.*;

            @Extension
            @DefaultBinding(id = "{11111111-2222-3333-4444-555555555555}", name = "Action default",
                    rule = "RCPT TO=defaulted@*", priority = 7, properties = {"action=tag"})
            public class ActionSink implements OnSubmissionSink {
                @Override
                public SinkStatus onSubmission(Submission s, SinkContext c) throws Exception {
                    String action = c.properties().getOrDefault("action", "tag");
                    switch (action) {
                        case "tag": s.headers().add("X-Tag", c.bindingName()); return SinkStatus.RUN_NEXT_SINK;
                        case "skip": s.headers().add("X-Tag", c.bindingName()); return SinkStatus.SKIP_REMAINING_SINKS;
                        case "abort": s.setFate(Fate.abortDelivery("aborted by " + c.bindingName())); return SinkStatus.RUN_NEXT_SINK;
                        case "badmail": s.setFate(Fate.badmail("quarantined by " + c.bindingName())); return SinkStatus.RUN_NEXT_SINK;
                        case "mime": s.headers().add("X-Subject", s.mimeMessage().getSubject()); return SinkStatus.RUN_NEXT_SINK;
                        case "tccl":
                            boolean own = Thread.currentThread().getContextClassLoader() == getClass().getClassLoader();
                            s.headers().add("X-Context-Loader", own ? "plugin" : "other");
                            return SinkStatus.RUN_NEXT_SINK;
                        case "throw":
                            s.headers().add("X-Half", "made");
                            s.envelope().addRecipient("half@localhost");
                            throw new IllegalStateException("boom from " + c.bindingName());
                        case "hang":
                            s.headers().add("X-Half", "made");
                            Path release = Paths.get(c.properties().get("release"));
                            while (!Files.exists(release)) {
                                try { Thread.sleep(20); } catch (InterruptedException ignored) { }
                            }
                            s.headers().add("X-Late", "too late");
                            return SinkStatus.RUN_NEXT_SINK;
                        default: throw new IllegalArgumentException("unknown action " + action);
                    }
                }
            }
            """;

    /**
     * One sink for every protocol event (and OnSubmission, to read notes), whose behaviour its
     * binding chooses with sink properties: {@code verdict} (proceed, accept, reject, disconnect,
     * discard, quarantine, throw, hang, null, badreply), {@code reply} (for reject/disconnect;
     * {@code {params}} is replaced by the command's ESMTP parameters), {@code header} ({@code Name: value}
     * added at end of data), {@code note} ({@code name=value} set in the session notes), and for
     * OnSubmission {@code readNote} (adds {@code X-Note: <value>}). {@code hang} waits until the file
     * named by {@code release} exists.
     */
    public static final String PROTOCOL_SINK = """
            package test.sinks;

            import dev.mailroot.sink.*;
            import dev.mailroot.sink.protocol.*;
            import org.pf4j.Extension;
            import java.nio.file.*;
            import java.util.Map;

            @Extension
            public class ProtocolSink implements OnConnectSink, OnHeloSink, OnMailFromSink, OnRcptToSink, OnEndOfDataSink,
                    OnSubmissionSink {
                private Verdict decide(ProtocolSession s, SinkContext c, Map<String, String> params) throws Exception {
                    Map<String, String> p = c.properties();
                    String note = p.get("note");
                    if (note != null) {
                        s.notes().put(Note.of(note.substring(0, note.indexOf('=')), String.class), note.substring(note.indexOf('=') + 1));
                    }
                    String reply = p.getOrDefault("reply", "550 5.7.1 refused by " + c.bindingName())
                            .replace("{params}", params.toString().replace('{', '(').replace('}', ')'));
                    switch (p.getOrDefault("verdict", "proceed")) {
                        case "proceed": return Verdict.proceed();
                        case "accept": return Verdict.accept();
                        case "reject": return Verdict.reject(SmtpReply.parse(reply));
                        case "disconnect": return Verdict.disconnect(SmtpReply.parse(reply));
                        case "discard": return Verdict.discard("discarded by " + c.bindingName());
                        case "quarantine": return Verdict.quarantine("quarantined by " + c.bindingName());
                        case "throw": throw new IllegalStateException("boom from " + c.bindingName());
                        case "null": return null;
                        case "badreply": return Verdict.reject(SmtpReply.of(550, "5.7.1", "line one\\r\\n250 line two"));
                        case "hang":
                            Path release = Paths.get(p.get("release"));
                            while (!Files.exists(release)) {
                                try { Thread.sleep(20); } catch (InterruptedException ignored) { }
                            }
                            return Verdict.proceed();
                        default: throw new IllegalArgumentException("unknown verdict " + p.get("verdict"));
                    }
                }

                public Verdict onConnect(ProtocolSession s, SinkContext c) throws Exception {
                    return decide(s, c, Map.of("client", s.clientAddress().map(a -> a.getHostAddress()).orElse("-"),
                            "source", s.sourceName()));
                }

                public Verdict onHelo(ProtocolSession s, String helo, boolean ehlo, SinkContext c) throws Exception {
                    return decide(s, c, Map.of("helo", helo));
                }

                public Verdict onMailFrom(ProtocolSession s, MailFromCommand m, SinkContext c) throws Exception {
                    return decide(s, c, m.parameters());
                }

                public Verdict onRcptTo(ProtocolSession s, RcptToCommand r, SinkContext c) throws Exception {
                    return decide(s, c, Map.of("known", String.valueOf(r.known())));
                }

                public Verdict onEndOfData(ProtocolSession s, EndOfData m, SinkContext c) throws Exception {
                    String header = c.properties().get("header");
                    if (header != null) {
                        m.addHeader(header.substring(0, header.indexOf(':')), header.substring(header.indexOf(':') + 1).strip());
                    }
                    return decide(s, c, Map.of("subject", m.header("Subject").orElse("-")));
                }

                public SinkStatus onSubmission(Submission s, SinkContext c) {
                    String name = c.properties().get("readNote");
                    if (name != null) {
                        s.headers().add("X-Note", s.notes().get(Note.of(name, String.class)).orElse("none"));
                    }
                    return SinkStatus.RUN_NEXT_SINK;
                }
            }
            """;

    /** A class with the same name in two plugins, each returning its own text: libraries stay private. */
    public static String greeting(String text) {
        return """
                package shared;
                public class Greeting { public static String text() { return "%s"; } }
                """.formatted(text);
    }

    /** A sink that adds {@code X-Greeting: <Greeting.text()>}, in its own package. */
    public static String greetingSink(String pkg) {
        return """
                package %s;
                import dev.mailroot.sink.*;
                import org.pf4j.Extension;
                @Extension
                public class GreetingSink implements OnSubmissionSink {
                    public SinkStatus onSubmission(Submission s, SinkContext c) {
                        s.headers().add("X-Greeting", shared.Greeting.text());
                        return SinkStatus.RUN_NEXT_SINK;
                    }
                }
                """.formatted(pkg);
    }

    /**
     * A plugin ({@code Plugin-Class: probe.ProbePlugin}) that appends one line to {@code report} for
     * each piece of its code the server runs, saying whether the context class loader was the
     * plugin's: {@code "<where>: plugin"} or {@code "<where>: other"}. Its sink is
     * {@code probe.ProbeSink}, its service {@code probe.ProbeService}.
     */
    public static Map<String, String> probe(Path report) {
        String path = report.toAbsolutePath().toString().replace("\\", "\\\\");
        return Map.of(
                "probe.Report", """
                        package probe;
                        import java.nio.file.*;
                        final class Report {
                            static void write(String where) {
                                boolean own = Thread.currentThread().getContextClassLoader() == Report.class.getClassLoader();
                                try {
                                    Files.writeString(Paths.get("%s"), where + ": " + (own ? "plugin" : "other") + "\\n",
                                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                                } catch (java.io.IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            }
                        }
                        """.formatted(path),
                "probe.ProbePlugin", """
                        package probe;
                        public class ProbePlugin extends org.pf4j.Plugin {
                            public ProbePlugin() { Report.write("plugin constructor"); }
                            @Override public void start() { Report.write("plugin start"); }
                            @Override public void stop() { Report.write("plugin stop"); }
                        }
                        """,
                "probe.ProbeSink", """
                        package probe;
                        import dev.mailroot.sink.*;
                        @org.pf4j.Extension
                        public class ProbeSink implements OnSubmissionSink {
                            public ProbeSink() { Report.write("sink constructor"); }
                            public SinkStatus onSubmission(Submission s, SinkContext c) {
                                Report.write("sink call");
                                return SinkStatus.RUN_NEXT_SINK;
                            }
                        }
                        """,
                "probe.ProbeService", """
                        package probe;
                        import dev.mailroot.sink.*;
                        @org.pf4j.Extension
                        public class ProbeService implements MailrootService {
                            public ProbeService() { Report.write("service constructor"); }
                            public void start(ServiceContext c) { Report.write("service start"); }
                            public void stop() { Report.write("service stop"); }
                            /** "hold": reports, then returns once the file named by parameter "release" exists. */
                            public CommandResult command(String name, java.util.Map<String, String> p, ServiceContext c)
                                    throws Exception {
                                Report.write("service command");
                                java.nio.file.Path release = java.nio.file.Paths.get(p.get("release"));
                                for (int i = 0; i < 3000 && !java.nio.file.Files.exists(release); i++) {
                                    Thread.sleep(10);
                                }
                                return CommandResult.ok("held");
                            }
                        }
                        """);
    }

    /**
     * A sink ({@code bundles.BundlingSink}) for a jar that also carries copies of API and Jakarta
     * Mail classes: it tags the message with where {@code SinkStatus} ({@code X-Api-From}) and
     * {@code MimeMessage} ({@code X-Mail-From}) came from, {@code host} or {@code plugin}, and with
     * the subject read through Jakarta Mail.
     */
    public static final String BUNDLING_SINK = """
            package bundles;
            import dev.mailroot.sink.*;
            @org.pf4j.Extension
            public class BundlingSink implements OnSubmissionSink {
                public SinkStatus onSubmission(Submission s, SinkContext c) throws Exception {
                    ClassLoader own = getClass().getClassLoader();
                    s.headers().add("X-Api-From", SinkStatus.class.getClassLoader() == own ? "plugin" : "host");
                    s.headers().add("X-Mail-From",
                            jakarta.mail.internet.MimeMessage.class.getClassLoader() == own ? "plugin" : "host");
                    jakarta.mail.internet.MimeMessage m = s.mimeMessage();
                    s.headers().add("X-Subject", m.getSubject());
                    return SinkStatus.RUN_NEXT_SINK;
                }
            }
            """;

    /**
     * A plugin service ({@code <pkg>.EchoService}) with three commands: {@code echo} reports where
     * it runs ("in the server" once started, else "offline"), its version and its parameters;
     * {@code fail} fails with a report; {@code boom} throws. Any other command is unknown.
     */
    public static String echoService(String pkg, String version) {
        return """
                package %s;
                import dev.mailroot.sink.*;
                @org.pf4j.Extension
                public class EchoService implements MailrootService {
                    private volatile boolean started;
                    public void start(ServiceContext c) { started = true; }
                    public void stop() { started = false; }
                    public CommandResult command(String name, java.util.Map<String, String> p, ServiceContext c) {
                        switch (name) {
                            case "echo": return CommandResult.ok((started ? "in the server" : "offline") + " %s "
                                    + new java.util.TreeMap<>(p));
                            case "fail": return CommandResult.failed("failed as asked\\nsecond line");
                            case "boom": throw new IllegalStateException("boom");
                            default: return CommandResult.unknown(name);
                        }
                    }
                }
                """.formatted(pkg, version);
    }
}
