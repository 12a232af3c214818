import io.javalin.Javalin;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Probe (not part of the build): does Javalin 7.2.3 (Jetty 12.1) start on JDK 17, how long does
 * it take, what does a session cookie with SameSite look like, and what is the round trip on
 * loopback. java -cp "$(cat /tmp/cp-javalin.txt):<slf4j-simple-2.0.17.jar from ~/.m2>" JavalinProbe.java
 */
public class JavalinProbe {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        Javalin app = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            config.startup.showJavalinBanner = false;
            config.routes.get("/", ctx -> ctx.result("hello"));
            config.routes.post("/login", ctx -> {
                ctx.cookie(new Cookie("mrsession", "abc123", "/", -1, false, true, null, SameSite.STRICT));
                ctx.redirect("/status");
            });
        }).start();
        System.out.printf("Javalin %s on Java %s started on port %d in %.0f ms, %d threads alive%n",
                Javalin.class.getPackage().getImplementationVersion(), System.getProperty("java.version"), app.port(),
                (System.nanoTime() - t0) / 1e6, Thread.activeCount());
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String base = "http://127.0.0.1:" + app.port();
        HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("POST /login -> " + login.statusCode() + " Set-Cookie: " + login.headers().allValues("Set-Cookie"));
        long s0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
        }
        System.out.printf("200 GETs over loopback: %.2f ms each%n", (System.nanoTime() - s0) / 200 / 1e6);
        app.stop();
    }
}
