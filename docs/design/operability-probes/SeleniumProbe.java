import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Probe (not part of the build): Debian's chromium + chromium-driver driven by Selenium 4.52.0 from
 * Maven Central, against a tiny console served by a JDK HttpServer on loopback: log in with a
 * token (session cookie HttpOnly + SameSite=Strict, CSRF synchronizer token in the form), see a
 * binding, press Disable, read the result, save a PNG screenshot. Every step is timed.
 *
 * java -Dsun.net.httpserver.nodelay=true -cp "$(cat /tmp/cp-selenium.txt)" SeleniumProbe.java [rounds]
 */
public class SeleniumProbe {
    static final String TOKEN = "probe-token";
    static final Map<String, String> SESSIONS = new ConcurrentHashMap<>(); // session id -> CSRF token
    static volatile boolean disabled;

    public static void main(String[] args) throws Exception {
        if (Boolean.getBoolean("probe.verbose")) { // shows whether Selenium Manager is consulted
            Logger l = Logger.getLogger("org.openqa.selenium");
            l.setLevel(Level.FINE);
            ConsoleHandler h = new ConsoleHandler();
            h.setLevel(Level.FINE);
            l.addHandler(h);
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", SeleniumProbe::handle);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try {
            for (int round = 1; round <= rounds; round++) {
                disabled = false;
                run(base, round);
            }
        } finally {
            server.stop(0);
        }
    }

    static void run(String base, int round) throws Exception {
        long t = System.nanoTime();
        // No Selenium Manager: the driver is named, and so is the browser binary.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("chromium-probe"));
        WebDriver driver = new ChromeDriver(service, options);
        t = step(round, "ChromeDriver started (chromedriver + chromium)", t);
        try {
            var caps = ((ChromeDriver) driver).getCapabilities();
            if (round == 1) {
                System.out.println("   browser " + caps.getBrowserName() + " " + caps.getBrowserVersion() + ", chromedriver "
                        + ((Map<?, ?>) caps.getCapability("chrome")).get("chromedriverVersion"));
            }
            driver.get(base + "/");
            t = step(round, "GET / (login page)", t);
            driver.findElement(By.name("token")).sendKeys(TOKEN);
            driver.findElement(By.id("login")).click();
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(ExpectedConditions.urlContains("/bindings"));
            t = step(round, "logged in, on /bindings", t);
            var cookie = driver.manage().getCookieNamed("mrsession");
            if (round == 1) {
                System.out.println("   cookie: httpOnly=" + cookie.isHttpOnly() + " sameSite=" + cookie.getSameSite() + " secure="
                        + cookie.isSecure() + "; document.cookie sees: '"
                        + ((ChromeDriver) driver).executeScript("return document.cookie") + "'");
            }
            String before = driver.findElement(By.cssSelector("#b-archive .state")).getText();
            driver.findElement(By.cssSelector("#b-archive button")).click();
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(
                    ExpectedConditions.textToBe(By.cssSelector("#b-archive .state"), "disabled"));
            String after = driver.findElement(By.cssSelector("#b-archive .state")).getText();
            t = step(round, "Disable pressed: '" + before + "' -> '" + after + "', server says disabled=" + disabled, t);
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Path file = Path.of("/tmp/console-probe-" + round + ".png");
            Files.write(file, png);
            t = step(round, "screenshot " + file + " (" + png.length + " bytes, PNG magic "
                    + (png[1] == 'P' && png[2] == 'N' && png[3] == 'G') + ")", t);
            // a forged POST without the CSRF token, from the same (logged-in) browser
            ((ChromeDriver) driver).executeScript("fetch('/bindings/archive/enable',{method:'POST'})"
                    + ".then(r=>document.title='forged:'+r.status)");
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> d.getTitle().startsWith("forged:"));
            System.out.println("   POST without the CSRF field -> " + driver.getTitle());
        } finally {
            driver.quit();
            step(round, "quit", t);
        }
    }

    static long step(int round, String what, long since) {
        long now = System.nanoTime();
        System.out.printf("round %d: %-70s %6.0f ms%n", round, what, (now - since) / 1e6);
        return now;
    }

    static void handle(HttpExchange ex) throws java.io.IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String session = cookie(ex, "mrsession");
            String csrf = session == null ? null : SESSIONS.get(session);
            if (path.equals("/") && ex.getRequestMethod().equals("GET")) {
                html(ex, 200, "<h1>Mailroot</h1><form method=post action=/login><label>Admin token "
                        + "<input type=password name=token></label><button id=login>Log in</button></form>");
            } else if (path.equals("/login") && ex.getRequestMethod().equals("POST")) {
                Map<String, String> form = form(ex);
                if (!TOKEN.equals(form.get("token"))) {
                    html(ex, 401, "wrong token");
                    return;
                }
                String id = random();
                SESSIONS.put(id, random());
                // -Dprobe.secure=true: is a Secure cookie kept when the page is plain http://127.0.0.1?
                ex.getResponseHeaders().add("Set-Cookie", "mrsession=" + id + "; Path=/; HttpOnly; SameSite=Strict"
                        + (Boolean.getBoolean("probe.secure") ? "; Secure" : ""));
                ex.getResponseHeaders().set("Location", "/bindings");
                ex.sendResponseHeaders(303, -1);
            } else if (csrf == null) {
                ex.getResponseHeaders().set("Location", "/");
                ex.sendResponseHeaders(303, -1);
            } else if (path.equals("/bindings") && ex.getRequestMethod().equals("GET")) {
                String state = disabled ? "disabled" : "enabled";
                html(ex, 200, "<h1>Bindings</h1><table><tr id=b-archive><td>archive</td><td class=state>" + state + "</td><td>"
                        + "<form method=post action=/bindings/archive/" + (disabled ? "enable" : "disable") + ">"
                        + "<input type=hidden name=csrf value=" + csrf + "><button>" + (disabled ? "Enable" : "Disable")
                        + "</button></form></td></tr></table>" + chart());
            } else if (path.startsWith("/bindings/archive/") && ex.getRequestMethod().equals("POST")) {
                if (!csrf.equals(form(ex).get("csrf"))) {
                    html(ex, 403, "403 missing or wrong CSRF token");
                    return;
                }
                disabled = path.endsWith("/disable");
                ex.getResponseHeaders().set("Location", "/bindings");
                ex.sendResponseHeaders(303, -1);
            } else {
                html(ex, 404, "not found");
            }
        }
    }

    /** A throughput chart drawn on the server: inline SVG, no script, no external asset. */
    static String chart() {
        StringBuilder sb = new StringBuilder("<svg width=360 height=80 viewBox='0 0 360 80' role=img aria-label='messages per minute'>"
                + "<polyline fill=none stroke=steelblue stroke-width=2 points='");
        for (int i = 0; i < 60; i++) {
            sb.append(i * 6).append(',').append(70 - (int) (30 + 25 * Math.sin(i / 6.0))).append(' ');
        }
        return sb.append("'/><text x=0 y=78 font-size=10>last hour</text></svg>").toString();
    }

    static void html(HttpExchange ex, int status, String body) throws java.io.IOException {
        byte[] b = ("<!doctype html><meta charset=utf-8><title>Mailroot</title>" + body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    static String cookie(HttpExchange ex, String name) {
        String all = ex.getRequestHeaders().getFirst("Cookie");
        if (all == null) {
            return null;
        }
        for (String c : all.split(";")) {
            String[] kv = c.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals(name)) {
                return kv[1];
            }
        }
        return null;
    }

    static Map<String, String> form(HttpExchange ex) throws java.io.IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ex.getRequestBody().transferTo(buf);
        Map<String, String> m = new HashMap<>();
        for (String pair : buf.toString(StandardCharsets.US_ASCII).split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2) {
                m.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    static String random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
