package dev.mailroot.server.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A real browser for the console's tests: Debian's {@code chromium}, headless, driven through
 * Debian's {@code chromium-driver} by Selenium (named explicitly, so Selenium Manager never tries to
 * download one). {@code .ci/run} installs both; a missing one fails the test with what to install.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of(System.getProperty("mailroot.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("mailroot.chromedriver", "/usr/bin/chromedriver"));

    private final WebDriver driver;
    private final Path screenshots;

    private Browser(WebDriver driver, Path screenshots) {
        this.driver = driver;
        this.screenshots = screenshots;
    }

    /**
     * Starts a browser with a fresh profile in {@code work}; screenshots go to
     * {@code target/console-screenshots/}.
     */
    public static Browser start(Path work) throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("the console tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                    + CHROMEDRIVER + "): apt-get install chromium chromium-driver (.ci/run does)");
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--user-data-dir=" + Files.createTempDirectory(work, "chromium-profile"), "--no-first-run",
                "--disable-background-networking", "--disable-sync", "--disable-extensions");
        Path shots = Path.of("target", "console-screenshots");
        Files.createDirectories(shots);
        ChromeDriver d = new ChromeDriver(service, options);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(d, shots);
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public java.util.List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The visible text of the page's main part. */
    public String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** Waits until the page's text contains {@code expected}. */
    public void waitForText(String expected) {
        await().atMost(Duration.ofSeconds(20)).until(() -> text().contains(expected));
    }

    /** Logs in on the console of the admin endpoint at {@code port} with {@code secret} and waits for the status page. */
    public void login(int port, String secret) {
        open("http://127.0.0.1:" + port + "/ui/");
        find("#secret").sendKeys(secret);
        find("#login").click();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.getCurrentUrl().endsWith("/ui/"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("login did not reach /ui/: at " + driver.getCurrentUrl() + ":\n" + text(), e);
        }
    }

    /** The session cookie as the browser keeps it. */
    public Cookie session() {
        return driver.manage().getCookieNamed("mrsession");
    }

    /** Saves a screenshot of the whole page (the window grown to its height) as {@code target/console-screenshots/<name>.png}. */
    public Path screenshot(String name) throws IOException {
        Object height = ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
        org.openqa.selenium.Dimension before = driver.manage().window().getSize();
        int h = Math.min(3000, Math.max(before.getHeight(), ((Number) height).intValue() + 120));
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(before.getWidth(), h));
        File png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        driver.manage().window().setSize(before);
        Path out = screenshots.resolve(name + ".png");
        Files.copy(png.toPath(), out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
