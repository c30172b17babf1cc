package io.parley.support;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

/**
 * A real headless Chromium (Debian's {@code chromium}, driven through its {@code chromedriver}; installed
 * by {@code scripts/services browser}), one profile per instance, with its console kept for the test.
 * Screenshots go to {@code target/screenshots/}.
 */
public final class Browser implements AutoCloseable {

    public static final Path SHOTS = Path.of("target", "screenshots");
    private final ChromeDriver driver;
    private final List<String> console = new ArrayList<>();
    public final String name;

    public Browser(String name, int width, int height) {
        this.name = name;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getenv().getOrDefault("PARLEY_CHROMIUM", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + "," + height, "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-renderer-backgrounding", "--disable-background-timer-throttling");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getenv().getOrDefault("PARLEY_CHROMEDRIVER", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    public void open(String url) {
        driver.get(url);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public boolean present(String css) {
        return !findAll(css).isEmpty();
    }

    @SuppressWarnings("unchecked")
    public <T> T js(String script, Object... args) {
        return (T) ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an async script: its last argument is the callback. */
    @SuppressWarnings("unchecked")
    public <T> T jsAsync(String script, Object... args) {
        return (T) ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Waits for {@code condition}, checking every 100 ms; fails with {@code what} and a screenshot after the timeout. */
    public void await(String what, long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        RuntimeException last = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (RuntimeException e) {
                last = e; // the element is not there yet, or was just re-rendered
            }
            sleep(100);
        }
        Path shot = screenshot("timeout-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
        throw new AssertionError(name + ": waited " + timeoutMillis + " ms for " + what + " (screenshot " + shot + ")"
                + (last == null ? "" : "; last error: " + last.getMessage()) + "; console: " + consoleLines(), last);
    }

    public Path screenshot(String file) {
        try {
            Files.createDirectories(SHOTS);
            Path to = SHOTS.resolve(name + "-" + file + ".png");
            File png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), to, StandardCopyOption.REPLACE_EXISTING);
            return to;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the page logged to its console so far (errors and warnings included). */
    public List<String> consoleLines() {
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            console.add(e.getLevel() + " " + e.getMessage());
        }
        return console;
    }

    /** Console errors, but the failed network requests the test caused on purpose (a node killed, the network cut). */
    public List<String> consoleErrors() {
        return consoleLines().stream().filter(l -> l.startsWith("SEVERE"))
                .filter(l -> !l.contains("net::ERR_") && !l.contains("WebSocket connection to")).toList();
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
