package dev.mailroot.server.admin;

import dev.mailroot.server.Home;
import dev.mailroot.server.config.ConfigException;
import dev.mailroot.server.config.MailrootConfig;
import dev.mailroot.server.HomeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code mailroot retrieve}: asks the running server to retrieve POP3 mail now (KB 885685's
 * "Retrieve Now") and prints its report.
 */
@Command(name = "retrieve", mixinStandardHelpOptions = true,
        description = "Retrieves POP3 mail now in the running server and prints, per account, the messages downloaded, "
                + "transferred and failed, and any error. Exit 0 if every account succeeded, 1 if not, 2 on a usage or configuration error.",
        footer = {"", "Example:", "  bin/mailroot retrieve --account carol-isp"})
public final class RetrieveCommand implements Callable<Integer> {
    @Mixin
    HomeOptions options;
    @Option(names = "--account", paramLabel = "NAME", description = "Only this account.")
    String account;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Home h = options.home();
        int port;
        try {
            port = adminPort(h);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("mailroot: " + e.getMessage());
            return 2;
        }
        String uri = "http://127.0.0.1:" + port + "/connectors/pop3-connector/retrieve"
                + (account == null ? "" : "?account=" + URLEncoder.encode(account, StandardCharsets.UTF_8));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r;
        try {
            r = client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(30))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            spec.commandLine().getErr().println("mailroot: the server is not running (nothing answers on 127.0.0.1:" + port + ")");
            return 1;
        }
        if (r.statusCode() == 200) {
            spec.commandLine().getOut().print(r.body());
            return 0;
        }
        (r.statusCode() == 500 ? spec.commandLine().getOut() : spec.commandLine().getErr()).print(
                r.statusCode() == 500 ? r.body() : "mailroot: " + r.body());
        return 1;
    }

    private int adminPort(Home h) throws ConfigException, IOException {
        Path file = h.adminPortFile();
        if (Files.exists(file)) {
            try {
                return Integer.parseInt(Files.readString(file).strip());
            } catch (NumberFormatException e) {
                // a damaged file: fall back to the configuration
            }
        }
        MailrootConfig c = options.config(h);
        return c.admin().port();
    }
}
