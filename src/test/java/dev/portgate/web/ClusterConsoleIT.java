package dev.portgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.Browser;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console of a node on a shared store, in a real browser: the Nodes card lists it, and when the database goes
 * away a banner says so while the console keeps working; it goes when the database is back.
 */
class ClusterConsoleIT {

    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    @Test
    void theNodesCardAndTheStoreBanner() throws Exception {
        try (Postgres pg = Postgres.start()) {
            Files.writeString(
                    dir.resolve("portgate.yaml"),
                    "store:\n  url: " + pg.url() + "\n  password-file: " + pg.passwordFile() + "\n"
                            + "node:\n  name: edge-1\n  address: 127.0.0.1:7444\n");
            ChromeDriver browser = Browser.start();
            try (JarProcess gateway = JarProcess.start(
                    dir,
                    Map.of("PORTGATE_ADMIN_PASSWORD", PASSWORD),
                    "serve",
                    "--config",
                    "portgate.yaml",
                    "--data",
                    dir.resolve("data").toString(),
                    "--console",
                    "127.0.0.1:0")) {
                gateway.awaitOutput("portgate started");
                String url = Files.readString(dir.resolve("data/console-url")).strip();
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                wait.ignoring(StaleElementReferenceException.class);
                browser.get(url + "/");
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-password")))
                        .sendKeys(PASSWORD);
                browser.findElement(By.id("login-submit")).click();

                By row = By.cssSelector("#nodes-table tbody tr");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "runs the timed jobs"));
                String text = wait.until(d -> d.findElement(row).getText());
                assertThat(text).contains("edge-1 (this node").contains("up").contains("127.0.0.1:7444");
                assertThat(browser.findElement(By.id("store-banner")).isDisplayed())
                        .isFalse();
                Browser.screenshot(browser, "cluster-01-nodes-card");

                pg.stop();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("store-banner")));
                assertThat(browser.findElement(By.id("store-banner-text")).getText())
                        .startsWith("the store is unavailable: ");
                Browser.screenshot(browser, "cluster-02-store-banner");

                pg.restart();
                wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("store-banner")));
            } finally {
                browser.quit();
            }
        }
    }
}
