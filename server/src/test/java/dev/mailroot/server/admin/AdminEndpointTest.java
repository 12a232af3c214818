package dev.mailroot.server.admin;

import dev.mailroot.server.Main;
import dev.mailroot.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class AdminEndpointTest {

    @TempDir
    Path home;

    private static HttpResponse<String> call(int port, String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String retrieve() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("retrieve", "--home", home.toString());
        return exit + "\n" + out + err;
    }

    @Test
    void healthAnswersAndConnectorCallsAreCheckedOnLoopbackOnly() throws Exception {
        int idle = dev.mailroot.server.ChildServer.freePort(); // where retrieve looks once the server is gone
        try (TestServer server = TestServer.startWithPlugins(home, "admin: {port: " + idle + "}\n")) {
            int port = server.server().adminPort();
            assertThat(Files.readString(home.resolve("mailroot/admin.port")).strip()).isEqualTo(String.valueOf(port));
            HttpResponse<String> health = call(port, "GET", "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).startsWith("{\"status\":\"ok\",\"spool\":0,");
            assertThat(health.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(call(port, "POST", "/health").statusCode()).isEqualTo(405);
            assertThat(call(port, "GET", "/connectors/pop3-connector/retrieve").statusCode()).isEqualTo(405);
            HttpResponse<String> missing = call(port, "POST", "/connectors/pop3-connector/retrieve");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("no running connector 'pop3-connector'");
            assertThat(call(port, "POST", "/connectors/oops").statusCode()).isEqualTo(404);
            assertThat(retrieve()).startsWith("1\n").contains("mailroot: no running connector 'pop3-connector'");
        }
        assertThat(home.resolve("mailroot/admin.port")).doesNotExist();
        assertThat(retrieve()).startsWith("1\n").contains("the server is not running (nothing answers on 127.0.0.1:" + idle + ")");
    }
}
