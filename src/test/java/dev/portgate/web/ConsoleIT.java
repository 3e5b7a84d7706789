package dev.portgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.testing.Browser;
import dev.portgate.testing.Echo;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Peers;
import dev.portgate.testing.Processes;
import dev.portgate.testing.TcpPeers;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The console in a real browser against the real jar: log in, add a rule, watch it carry traffic, disable and delete it. */
class ConsoleIT {

    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    Path dir;

    private JarProcess gateway;
    private ChromeDriver browser;
    private String url;

    @BeforeEach
    void start() throws Exception {
        browser = Browser.start();
        gateway = JarProcess.start(
                dir,
                Map.of("PORTGATE_ADMIN_PASSWORD", PASSWORD),
                "serve",
                "--data",
                dir.resolve("data").toString(),
                "--console",
                "127.0.0.1:0");
        gateway.awaitOutput("portgate started");
        url = Files.readString(dir.resolve("data/console-url")).strip();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private WebDriverWait waiting() {
        // The console re-renders its tables every second, so an element found a moment ago may be gone.
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** Clicks an element of a live table, finding it again if a re-render replaced it. */
    private void click(String css) {
        waiting().until(d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    private WebElement visible(String css) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private void login(String password) {
        visible("#login-password").clear();
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
    }

    @Test
    void addAForwardSeeItCarryTrafficThenDisableAndDeleteIt() throws Exception {
        browser.get(url + "/");
        login("not the password");
        waiting().until(ExpectedConditions.textToBe(By.id("login-error"), "wrong user name or password"));
        Browser.screenshot(browser, "01-login-wrong-password");
        login(PASSWORD);
        visible("#view-overview");
        waiting().until(ExpectedConditions.textToBe(By.id("ov-forwards"), "0"));
        Browser.screenshot(browser, "02-overview");

        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            int port = Net.freeTcpPort();
            browser.findElement(By.id("nav-forwards")).click();
            visible("#add-forward").click();
            visible("#f-name").sendKeys("echo");
            browser.findElement(By.id("f-listen-address")).sendKeys("127.0.0.1");
            browser.findElement(By.id("f-listen-port")).sendKeys("99999");
            browser.findElement(By.id("f-target-host")).sendKeys("127.0.0.1");
            browser.findElement(By.id("f-target-port")).sendKeys(String.valueOf(echo.port()));
            new Select(browser.findElement(By.id("f-protocol"))).selectByValue("tcp");
            browser.findElement(By.id("f-description")).sendKeys("echo server");
            browser.findElement(By.id("forward-save")).click();
            // The error shows beside the field it concerns, and nothing was added.
            waiting()
                    .until(ExpectedConditions.textToBePresentInElementLocated(
                            By.cssSelector(".field-error[data-for=listen]"),
                            "port 99999 is out of range — use 1-65535"));
            Browser.screenshot(browser, "03-form-error-beside-field");
            WebElement portField = browser.findElement(By.id("f-listen-port"));
            portField.clear();
            portField.sendKeys(String.valueOf(port));
            browser.findElement(By.id("forward-save")).click();
            // Saved: the dialog says so and what its test found, then closes with Done.
            waiting()
                    .until(ExpectedConditions.textToBePresentInElementLocated(
                            By.id("after-save-test"), "target: 127.0.0.1:" + echo.port() + " answers"));
            browser.findElement(By.id("forward-cancel")).click();
            By row = By.cssSelector("#forwards-table tr[data-name=echo]");
            waiting().until(ExpectedConditions.textToBePresentInElementLocated(row, "listening"));
            String rowText = waiting().until(d -> d.findElement(row).getText());
            assertThat(rowText).contains("127.0.0.1:" + port).contains("127.0.0.1:" + echo.port());

            // Traffic through it: the table's live counters move.
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(10_000);
                byte[] msg = "hello through the console's forward\n".getBytes(StandardCharsets.US_ASCII);
                s.getOutputStream().write(msg);
                assertThat(s.getInputStream().readNBytes(msg.length)).isEqualTo(msg);
                waiting().until(d -> d.findElement(By.cssSelector("#forwards-table tr[data-name=echo] td.conns"))
                        .getText()
                        .equals("1"));
                waiting().until(d -> d.findElement(By.cssSelector("#forwards-table tr[data-name=echo] td.bytes-in"))
                        .getText()
                        .equals("36 B"));
                Browser.screenshot(browser, "04-forwards-with-traffic");
                browser.findElement(By.id("nav-connections")).click();
                visible("#connections-table tbody tr");
                String connText = waiting().until(d -> d.findElement(By.cssSelector("#connections-table tbody tr"))
                        .getText());
                assertThat(connText)
                        .contains("echo")
                        .contains("127.0.0.1:" + echo.port())
                        .contains("36 B");
                Browser.screenshot(browser, "05-connections");

                // Disable: its connection closes, the port stops answering.
                browser.findElement(By.id("nav-forwards")).click();
                click("#forwards-table tr[data-name=echo] input.toggle");
                waiting()
                        .until(ExpectedConditions.textToBePresentInElementLocated(
                                By.cssSelector("#forwards-table tr[data-name=echo]"), "disabled"));
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            try (Socket probe = new Socket()) {
                Assertions.assertThatThrownBy(() -> probe.connect(new InetSocketAddress("127.0.0.1", port), 3000))
                        .hasMessageContaining("refused");
            }
            click("#forwards-table tr[data-name=echo] button.delete");
            waiting().until(ExpectedConditions.alertIsPresent()).accept();
            waiting()
                    .until(ExpectedConditions.invisibilityOfElementLocated(
                            By.cssSelector("#forwards-table tr[data-name=echo]")));
        }

        browser.findElement(By.id("nav-audit")).click();
        visible("#audit-table tbody tr");
        waiting().until(d -> d.findElement(By.id("audit-table")).getText().contains("forward.delete"));
        String log = browser.findElement(By.id("audit-table")).getText();
        assertThat(log)
                .contains("forward.add")
                .contains("forward.disable")
                .contains("forward.delete")
                .contains("127.0.0.1");
        assertThat(log).contains("admin");
        Browser.screenshot(browser, "06-audit");
        browser.findElement(By.id("nav-settings")).click();
        visible("#tokens-table");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("tokens-table"), "data-folder"));
        Browser.screenshot(browser, "07-settings");
    }

    @Test
    void aDevicesLeaseShowsOnTheUpnpPageAndCanBeDeletedThere() throws Exception {
        String natpmpc = Peers.require("natpmpc");
        gateway.close();
        Path config = dir.resolve("igd.yaml");
        Files.writeString(
                config,
                "igd:\n  lan: [ 127.0.0.1 ]\n  external-address: 203.0.113.7\n  listen: 127.0.0.1\n  http-port: "
                        + Net.freeTcpPort() + "\n");
        gateway = JarProcess.start(
                dir,
                Map.of("PORTGATE_ADMIN_PASSWORD", PASSWORD),
                "serve",
                "--config",
                config.toString(),
                "--data",
                dir.resolve("data").toString(),
                "--console",
                "127.0.0.1:0");
        gateway.awaitOutput("portgate started");
        url = Files.readString(dir.resolve("data/console-url")).strip();
        int ext = Net.freeTcpPort();
        assertThat(Processes.run(
                                Duration.ofSeconds(30),
                                List.of(natpmpc, "-g", "127.0.0.1", "-a", String.valueOf(ext), "40000", "tcp", "3600"))
                        .out())
                .contains("Mapped public port " + ext);

        browser.get(url + "/");
        login(PASSWORD);
        visible("#nav-upnp").click();
        By row = By.cssSelector("#leases-table tr[data-name=lease-tcp-" + ext + "]");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(row));
        String text = waiting().until(d -> d.findElement(row).getText());
        assertThat(text)
                .contains(String.valueOf(ext))
                .contains("127.0.0.1")
                .contains("40000")
                .contains("natpmp")
                .contains("59 min");
        assertThat(browser.findElement(By.id("igd-summary")).getText()).contains("external address 203.0.113.7");
        Browser.screenshot(browser, "08-upnp-leases");

        // Switch NAT-PMP off: a device asking now is refused.
        click("#igd-nat-pmp");
        waiting().until(d -> !d.findElement(By.id("igd-nat-pmp")).isSelected());
        assertThat(Processes.run(
                                Duration.ofSeconds(30),
                                List.of(
                                        natpmpc,
                                        "-g",
                                        "127.0.0.1",
                                        "-a",
                                        String.valueOf(Net.freeTcpPort()),
                                        "40001",
                                        "tcp",
                                        "3600"))
                        .out())
                .doesNotContain("Mapped public port");

        click("#leases-table tr[data-name=lease-tcp-" + ext + "] button.delete");
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(row));
        try (Socket probe = new Socket()) {
            Assertions.assertThatThrownBy(() -> probe.connect(new InetSocketAddress("127.0.0.1", ext), 3000))
                    .hasMessageContaining("refused");
        }
        browser.findElement(By.id("nav-audit")).click();
        waiting().until(d -> d.findElement(By.id("audit-table")).getText().contains("igd.disable"));
        assertThat(browser.findElement(By.id("audit-table")).getText())
                .contains("lease-tcp-" + ext)
                .contains("natpmp 127.0.0.1");
    }

    @Test
    void aDoorUserOpensALoginDoorAndThenGetsThrough() throws Exception {
        try (TcpPeers echo = TcpPeers.start(TcpPeers::echo)) {
            gateway.close();
            int port = Net.freeTcpPort();
            Path config = dir.resolve("door.yaml");
            Files.writeString(
                    config,
                    "forwards:\n  - name: nas\n    listen: 127.0.0.1:" + port + "\n    target: 127.0.0.1:" + echo.port()
                            + "\n    access: login\n    open-for: 10m\n    description: the NAS\n");
            gateway = JarProcess.start(
                    dir,
                    Map.of("PORTGATE_ADMIN_PASSWORD", PASSWORD),
                    "serve",
                    "--config",
                    config.toString(),
                    "--data",
                    dir.resolve("data").toString(),
                    "--console",
                    "127.0.0.1:0");
            gateway.awaitOutput("portgate started");
            url = Files.readString(dir.resolve("data/console-url")).strip();
            assertThat(Echo.getsThrough("127.0.0.1", port))
                    .as("closed before anyone opens it")
                    .isFalse();

            // The admin adds a door user under Settings.
            browser.get(url + "/");
            login(PASSWORD);
            visible("#nav-settings").click();
            visible("#user-name").sendKeys("alice");
            browser.findElement(By.id("user-password")).sendKeys("alice-door-pass");
            browser.findElement(By.id("user-add")).click();
            waiting()
                    .until(ExpectedConditions.visibilityOfElementLocated(
                            By.cssSelector("#users-table tr[data-name=alice]")));
            browser.findElement(By.id("logout")).click();

            // Alice logs in, sees only the door page, and opens the door.
            visible("#login-user").clear();
            browser.findElement(By.id("login-user")).sendKeys("alice");
            login("alice-door-pass");
            waiting()
                    .until(ExpectedConditions.visibilityOfElementLocated(
                            By.cssSelector("#door-table tr[data-name=nas]")));
            assertThat(browser.findElement(By.id("nav-forwards")).isDisplayed()).isFalse();
            click("#door-table tr[data-name=nas] button.open");
            waiting()
                    .until(ExpectedConditions.textToBePresentInElementLocated(
                            By.cssSelector("#door-table tr[data-name=nas] td.state"), "open for you"));
            Browser.screenshot(browser, "09-open-a-door");
            assertThat(Echo.getsThrough("127.0.0.1", port))
                    .as("open for this browser's address")
                    .isTrue();
            assertThat(Echo.getsThrough("127.0.0.2", port)).as("and no other").isFalse();
        }
    }

    @Test
    void repeatedWrongPasswordsLockTheAddressOut() throws Exception {
        browser.get(url + "/");
        for (int i = 0; i < 5; i++) {
            login("wrong-" + i);
            int attempt = i;
            waiting()
                    .until(d -> !d.findElement(By.id("login-error")).getText().isEmpty()
                            && d.findElement(By.id("login-error"))
                                    .getText()
                                    .equals(
                                            attempt == 4
                                                    ? "wrong user name or password"
                                                    : d.findElement(By.id("login-error"))
                                                            .getText()));
        }
        login(PASSWORD);
        waiting()
                .until(ExpectedConditions.textToBePresentInElementLocated(
                        By.id("login-error"), "too many failed logins from 127.0.0.1"));
        assertThat(browser.findElement(By.id("view-overview")).isDisplayed()).isFalse();
        Browser.screenshot(browser, "08-locked-out");
    }
}
