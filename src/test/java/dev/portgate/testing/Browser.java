package dev.portgate.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's headless Chromium driven by its chromedriver; screenshots go to target/screenshots. */
public final class Browser {

    private Browser() {}

    public static ChromeDriver start() {
        return start(1400, 1000);
    }

    /** A window of this size: 1400×1000 for a desktop, 390×844 for a phone (it then also reports a touch screen). */
    public static ChromeDriver start(int width, int height) {
        String chromium = Peers.require("chromium");
        String driver = Peers.require("chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height);
        try {
            options.addArguments("--user-data-dir=" + Files.createTempDirectory("chromium"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver))
                .usingAnyFreePort()
                .build();
        ChromeDriver d = new ChromeDriver(service, options);
        d.manage().timeouts().implicitlyWait(Duration.ZERO);
        if (width < 600) {
            // The viewport a phone has: a window this narrow keeps the desktop's scrollbar and zoom otherwise.
            d.executeCdpCommand(
                    "Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", height, "deviceScaleFactor", 2, "mobile", true));
        }
        return d;
    }

    /** Makes pages see {@code prefers-color-scheme: dark} (or light). */
    public static void colorScheme(ChromeDriver d, String scheme) {
        d.executeCdpCommand(
                "Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    public static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        Files.copy(
                ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
                file,
                StandardCopyOption.REPLACE_EXISTING);
        return file;
    }
}
