package dev.portgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portgate.testing.Axe;
import dev.portgate.testing.Browser;
import dev.portgate.testing.IsolatedConsole;
import dev.portgate.testing.JarProcess;
import dev.portgate.testing.Net;
import dev.portgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console as someone who has only used a router's page would use it, at a desktop's and a phone's
 * width: presets, every option of a forward, warnings with their fixes, honest broken states, the
 * refused-config banner, no sideways scrolling, dark mode and axe-core's accessibility rules. The gateway
 * runs in a namespace of its own (see {@link IsolatedConsole}), so its forwards may listen on 0.0.0.0.
 */
class ConsoleForEveryoneIT {

    private static final String PASSWORD = "correct-horse-battery";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PAGES = {
        "overview", "forwards", "connections", "upnp", "security", "door", "audit", "settings"
    };

    @TempDir
    static Path dir;

    private static IsolatedConsole gateway;
    private static Path config;
    private ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        config = dir.resolve("portgate.yaml");
        Files.writeString(config, goodConfig());
        gateway = IsolatedConsole.start(dir, PASSWORD, config);
    }

    private static String goodConfig() {
        return "forwards:\n  - { name: from-file, listen: 127.0.0.1:18001, target: 127.0.0.1:18002 }\n";
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private <T> T until(Function<WebDriver, T> condition) {
        return waiting().until(condition);
    }

    private WebElement visible(String css) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    private void click(String css) {
        until(d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    private void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    private void logIn(int width, int height) {
        browser = Browser.start(width, height);
        browser.get(gateway.url() + "/");
        visible("#login-password").sendKeys(PASSWORD);
        browser.findElement(By.id("login-submit")).click();
        visible("#view-overview");
    }

    private JsonNode api(String method, String path, String body) throws Exception {
        var reply = body == null && method.equals("GET")
                ? gateway.api().get(path)
                : gateway.api().send(method, path, body);
        assertThat(reply.status()).as(method + " " + path + ": " + reply.body()).isLessThan(300);
        return reply.body().isEmpty() ? null : JSON.readTree(reply.body());
    }

    private void go(String page) {
        String to = gateway.url() + "/#/" + page;
        if (to.equals(browser.getCurrentUrl())) {
            browser.navigate().refresh(); // the same hash again would not load the page anew
        } else {
            browser.get(to);
        }
        visible("#view-" + page);
    }

    @Test
    void everyPageFitsAPhoneAndADesktopAndPassesAxe() throws Exception {
        api(
                "POST",
                "/api/v1/forwards",
                "{\"name\":\"rdp-pc\",\"listen\":\"0.0.0.0:" + Net.freeTcpPort()
                        + "\",\"target\":\"10.93.1.20:3389\",\"description\":\"the study's PC\"}");
        List<String> problems = new ArrayList<>();
        for (int[] size : new int[][] {{1400, 1000}, {390, 844}}) {
            String width = size[0] + "px";
            browser = Browser.start(size[0], size[1]);
            browser.get(gateway.url() + "/");
            visible("#login-password");
            assertThat(browser.findElement(By.id("top")).isDisplayed())
                    .as("no navigation or Log out on the login page")
                    .isFalse();
            problems.addAll(check("login", width));
            browser.findElement(By.id("login-password")).sendKeys(PASSWORD);
            browser.findElement(By.id("login-submit")).click();
            visible("#view-overview");
            boolean phone = size[0] < 600;
            assertThat(browser.findElement(By.id("menu-button")).isDisplayed())
                    .as("a menu button on a phone only")
                    .isEqualTo(phone);
            if (phone) {
                assertThat(browser.findElement(By.id("nav-forwards")).isDisplayed())
                        .isFalse();
                browser.findElement(By.id("menu-button")).click();
                visible("#nav-forwards");
                assertThat(browser.findElement(By.id("menu-button")).getAttribute("aria-expanded"))
                        .isEqualTo("true");
                browser.findElement(By.id("nav-forwards")).click();
                visible("#view-forwards");
            }
            for (String page : PAGES) {
                go(page);
                if (page.equals("forwards")) {
                    until(d -> d.findElement(By.cssSelector("#forwards-table tr[data-name=rdp-pc]")));
                }
                if (page.equals("security")) {
                    until(d -> d.findElement(By.cssSelector("#security-table tr[data-name=rdp-pc] .fix")));
                }
                if (page.equals("audit")) {
                    until(d -> d.findElement(By.cssSelector("#audit-table tbody tr")));
                }
                problems.addAll(check(page, width));
            }
            if (!phone) {
                go("forwards");
                click("#add-forward");
                visible("#f-preset");
                browser.findElement(By.cssSelector("#advanced summary")).click();
                problems.addAll(check("forward-form", width));
            }
            browser.quit();
            browser = null;
        }
        assertThat(problems).isEmpty();
    }

    /** No sideways scrolling, no serious accessibility violation, and a screenshot to look at. */
    private List<String> check(String page, String width) throws Exception {
        List<String> problems = new ArrayList<>();
        JavascriptExecutor js = browser;
        long scroll = ((Number) js.executeScript("return document.documentElement.scrollWidth")).longValue();
        long inner = ((Number) js.executeScript("return window.innerWidth")).longValue();
        if (scroll > inner) {
            problems.add(page + " at " + width + " scrolls sideways: " + scroll + " > " + inner);
        }
        for (String v : Axe.seriousViolations(browser)) {
            problems.add(page + " at " + width + ": " + v);
        }
        Browser.screenshot(browser, "everyone-" + page + "-" + width);
        return problems;
    }

    /** The catalogue loads when the form opens: wait for the option, then choose it. */
    private void choosePreset(String id) {
        until(d -> d.findElement(By.cssSelector("#f-preset option[value='" + id + "']")));
        new Select(browser.findElement(By.id("f-preset"))).selectByValue(id);
    }

    private String activeId() {
        return (String) browser.executeScript("return document.activeElement && document.activeElement.id");
    }

    /** Presses Tab until the element with this id has the focus (a bounded number of times). */
    private void tabTo(String id) {
        for (int i = 0; i < 40 && !id.equals(activeId()); i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
        }
        assertThat(activeId()).as("reached by Tab").isEqualTo(id);
    }

    @Test
    void aForwardCanBeAddedWithTheKeyboardAlone() throws Exception {
        logIn(1400, 1000);
        go("forwards");
        visible("#add-forward");
        tabTo("add-forward");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        visible("#f-preset");
        tabTo("f-name");
        new Actions(browser).sendKeys("kbd").perform();
        tabTo("f-listen-port");
        new Actions(browser).sendKeys(String.valueOf(Net.freeTcpPort())).perform();
        tabTo("f-target-host");
        new Actions(browser).sendKeys("10.93.1.40").perform();
        tabTo("f-target-port");
        new Actions(browser).sendKeys("8080", Keys.ENTER).perform();
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("after-save-text"), "Saved \"kbd\""));
        new Actions(browser).sendKeys(Keys.ESCAPE).perform();
        until(d -> !d.findElement(By.id("forward-dialog")).isDisplayed());
        assertThat(api("GET", "/api/v1/forwards/kbd", null).path("target").asText())
                .isEqualTo("10.93.1.40:8080");
    }

    @Test
    void darkModeFollowsThePreferredColorScheme() throws Exception {
        logIn(1400, 1000);
        Browser.colorScheme(browser, "dark");
        String dark = (String) browser.executeScript("return getComputedStyle(document.body).backgroundColor");
        Browser.colorScheme(browser, "light");
        String light = (String) browser.executeScript("return getComputedStyle(document.body).backgroundColor");
        assertThat(brightness(dark)).as(dark).isLessThan(60);
        Object icon = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch(document.querySelector('link[rel=icon]').href).then(r => done(r.status + ' '"
                + " + r.headers.get('content-type')), e => done(String(e)));");
        assertThat((String) icon).startsWith("200 image/svg+xml");
        assertThat(brightness(light)).as(light).isGreaterThan(200);
        Browser.colorScheme(browser, "dark");
        List<String> problems = new ArrayList<>();
        // The colours are the same variables on every page: the busiest three stand for the rest.
        for (String page : List.of("forwards", "security", "settings")) {
            go(page);
            problems.addAll(check(page, "1400px-dark"));
        }
        assertThat(problems).as("contrast and the rest hold in dark mode too").isEmpty();
    }

    private static int brightness(String rgb) {
        String[] parts = rgb.replaceAll("[^0-9,]", "").split(",");
        return (Integer.parseInt(parts[0]) + Integer.parseInt(parts[1]) + Integer.parseInt(parts[2])) / 3;
    }

    @Test
    void aPresetFillsTheFormAndEveryOptionSavedReadsBackFromTheApi() throws Exception {
        Path clientCa = dir.resolve("clients-ca.pem");
        Files.writeString(clientCa, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        logIn(1400, 1000);
        go("forwards");
        click("#add-forward");
        choosePreset("minecraft-java");
        assertThat(browser.findElement(By.id("f-listen-port")).getAttribute("value"))
                .isEqualTo("25565");
        assertThat(browser.findElement(By.id("f-target-port")).getAttribute("value"))
                .isEqualTo("25565");
        assertThat(new Select(browser.findElement(By.id("f-protocol")))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("tcp");
        assertThat(browser.findElement(By.id("f-name")).getAttribute("value")).isEqualTo("minecraft-java");
        int port = Net.freeTcpPort();
        type("f-name", "mc");
        type("f-listen-port", String.valueOf(port));
        type("f-target-host", "10.93.1.20");
        browser.findElement(By.cssSelector("#advanced summary")).click();
        type("f-allow", "203.0.113.0/24, 10.93.1.0/24");
        type("f-deny", "203.0.113.66");
        new Select(browser.findElement(By.id("f-access"))).selectByValue("login");
        type("f-open-for", "30m");
        type("f-close-idle", "2h");
        type("f-rate", "20/m");
        type("f-max", "7");
        type("f-bandwidth", "50Mbit");
        type("f-idle", "10m");
        new Select(browser.findElement(By.id("f-proxy"))).selectByValue("v2");
        new Select(browser.findElement(By.id("f-plane"))).selectByValue("relay");
        type("f-description", "the kids' server");
        // A datetime-local input takes its value typed as the local date and time.
        browser.executeScript("document.getElementById('f-expires').value = arguments[0]", "2031-05-06T07:08");
        browser.findElement(By.id("forward-save")).click();
        visible("#after-save");
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("after-save-text"), "Saved \"mc\""));
        Browser.screenshot(browser, "everyone-form-saved");

        JsonNode mc = api("GET", "/api/v1/forwards/mc", null);
        assertThat(mc.path("listen").asText()).isEqualTo("0.0.0.0:" + port);
        assertThat(mc.path("target").asText()).isEqualTo("10.93.1.20:25565");
        assertThat(mc.path("protocol").asText()).isEqualTo("tcp");
        assertThat(mc.path("allow").toString()).isEqualTo("[\"203.0.113.0/24\",\"10.93.1.0/24\"]");
        assertThat(mc.path("deny").toString()).isEqualTo("[\"203.0.113.66/32\"]");
        assertThat(mc.path("access").asText()).isEqualTo("login");
        assertThat(mc.path("open-for").asText()).isEqualTo("30m");
        assertThat(mc.path("close-when-idle").asText()).isEqualTo("2h");
        assertThat(mc.path("rate-limit").asText()).isEqualTo("20/m");
        assertThat(mc.path("max-connections").asInt()).isEqualTo(7);
        assertThat(mc.path("bandwidth").asText()).isEqualTo("50Mbit");
        assertThat(mc.path("idle-timeout").asText()).isEqualTo("10m");
        assertThat(mc.path("proxy-protocol").asText()).isEqualTo("v2");
        assertThat(mc.path("data-plane").asText()).isEqualTo("relay");
        assertThat(mc.path("description").asText()).isEqualTo("the kids' server");
        assertThat(mc.path("expires").asText()).startsWith("2031-05-0");

        // Edit: the TLS options (they go with access: tls) are in the form too, and the form shows what is saved.
        browser.findElement(By.id("forward-cancel")).click();
        click("#forwards-table tr[data-name=mc] button.edit");
        visible("#f-access");
        assertThat(browser.findElement(By.id("advanced")).getAttribute("open")).isNotNull();
        assertThat(browser.findElement(By.id("f-rate")).getAttribute("value")).isEqualTo("20/m");
        new Select(browser.findElement(By.id("f-access"))).selectByValue("tls");
        type("f-open-for", "");
        type("f-tls-client-ca", clientCa.toString());
        browser.findElement(By.id("f-target-tls")).click();
        browser.findElement(By.id("forward-save")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("after-save-text"), "Saved \"mc\""));
        mc = api("GET", "/api/v1/forwards/mc", null);
        assertThat(mc.path("access").asText()).isEqualTo("tls");
        assertThat(mc.path("tls-client-ca").asText()).isEqualTo(clientCa.toString());
        assertThat(mc.path("target-tls").asBoolean()).isTrue();
        assertThat(mc.path("rate-limit").asText()).as("kept through the edit").isEqualTo("20/m");

        // Its traffic: a chart of the last hour or day, and what it carried in all.
        browser.findElement(By.id("forward-cancel")).click();
        click("#forwards-table tr[data-name=mc] button.traffic");
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("traffic-title"), "Traffic of \"mc\""));
        // Nothing went through it: either it was not sampled yet (every 5 s), or it was, with nothing counted.
        assertThat(visible("#traffic-totals").getText())
                .matches("Nothing carried yet\\.|In all: 0 B in, 0 B out since .*");
        browser.findElement(By.id("traffic-day")).click();
        until(ExpectedConditions.attributeToBe(By.id("traffic-day"), "aria-pressed", "true"));
        visible("#traffic-chart canvas");
        Browser.screenshot(browser, "everyone-traffic");
        browser.findElement(By.id("traffic-close")).click();

        // A preset that needs several rules adds them together; the device box offers the devices the gateway knows.
        click("#add-forward");
        WebElement known = until(d -> d.findElement(By.cssSelector("#devices option[value='10.93.1.20']")));
        assertThat(known.getAttribute("label") + known.getText()).contains("mc");
        choosePreset("teamspeak");
        assertThat(browser.findElement(By.id("preset-info")).getText()).contains("Needs 2 rules");
        type("f-name", "ts");
        type("f-target-host", "10.93.1.21");
        browser.findElement(By.id("forward-save")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("after-save-text"), "Saved \"ts\""));
        assertThat(api("GET", "/api/v1/forwards/ts", null).path("listen").asText())
                .isEqualTo("0.0.0.0:9987");
        assertThat(api("GET", "/api/v1/forwards/ts-tcp-30033", null)
                        .path("target")
                        .asText())
                .isEqualTo("10.93.1.21:30033");
    }

    @Test
    void aWarningCarriesItsFixAsAButtonAtSaveTimeAndOnTheSecurityPage() throws Exception {
        logIn(1400, 1000);
        go("forwards");
        click("#add-forward");
        choosePreset("vnc");
        assertThat(browser.findElement(By.id("preset-info")).getText()).contains("Risk:");
        type("f-name", "vnc");
        type("f-listen-port", String.valueOf(Net.freeTcpPort()));
        type("f-target-host", "10.93.1.30");
        browser.findElement(By.id("forward-save")).click();
        // Saving VNC open to everyone says so, with the fixes as buttons.
        WebElement exposed = visible("#after-save-risks li[data-code=exposed]");
        assertThat(exposed.getText()).contains("VNC is reachable from anywhere with no protection");
        assertThat(browser.findElements(By.cssSelector("#after-save-risks .fix")))
                .extracting(WebElement::getText)
                .contains(
                        "Limit to my network",
                        "Require a login",
                        "Close it at a set time",
                        "Add a rate limit (10/m per address)");
        Browser.screenshot(browser, "everyone-save-warning");
        click("#after-save-risks .fix-add-rate-limit");
        until(d -> d.findElements(By.cssSelector("#after-save-risks li[data-code=no-rate-limit]"))
                .isEmpty());
        assertThat(api("GET", "/api/v1/forwards/vnc", null).path("rate-limit").asText())
                .isEqualTo("10/m");
        browser.findElement(By.id("forward-cancel")).click();

        // On the Security page: "Limit to my network" allows the gateway's own LAN only.
        go("security");
        click("#security-table tr[data-name=vnc] .fix-limit-to-lan");
        until(d -> api_("/api/v1/forwards/vnc").path("allow").toString().equals("[\"" + IsolatedConsole.LAN + "\"]"));
        until(d -> d.findElement(By.cssSelector("#security-table tr[data-name=vnc] td.warnings"))
                .getText()
                .equals("–"));
        assertThat(browser.findElement(By.cssSelector("#security-table tr[data-name=vnc] td.reach"))
                        .getText())
                .isEqualTo("allow-listed sources");

        // SSH moved to another outside port is still SSH; "Require a login" puts a door in front.
        api(
                "POST",
                "/api/v1/forwards",
                "{\"name\":\"shell\",\"listen\":\"0.0.0.0:" + Net.freeTcpPort() + "\",\"target\":\"10.93.1.31:22\"}");
        browser.navigate().refresh();
        visible("#security-table tr[data-name=shell]");
        until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#security-table tr[data-name=shell]"), "SSH"));
        Browser.screenshot(browser, "everyone-security-fixes");
        click("#security-table tr[data-name=shell] .fix-require-login");
        until(d -> api_("/api/v1/forwards/shell").path("access").asText().equals("login"));
    }

    private JsonNode api_(String path) {
        try {
            return api("GET", path, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aForwardToAClosedTargetSaysTargetUnreachableAndATypoedIpIsAnError() throws Exception {
        logIn(1400, 1000);
        go("forwards");
        click("#add-forward");
        type("f-name", "nas");
        visible("#f-listen-port");
        type("f-listen-port", String.valueOf(Net.freeTcpPort()));
        type("f-target-host", "192.168.1.300");
        type("f-target-port", "443");
        browser.findElement(By.id("forward-save")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector(".field-error[data-for=target]"), "300 is over 255"));
        // Port 9 on the gateway itself: nothing listens there.
        type("f-target-host", "127.0.0.1");
        type("f-target-port", "9");
        browser.findElement(By.id("forward-save")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("after-save-test"), "target: 127.0.0.1:9: connection refused"));
        assertThat(browser.findElement(By.id("after-save-test")).getText())
                .contains("listener: listening on 0.0.0.0:")
                .contains("Not tested: whether it answers from the internet");
        browser.findElement(By.id("forward-cancel")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#forwards-table tr[data-name=nas]"), "target unreachable since"));
        assertThat(browser.findElement(By.cssSelector("#forwards-table tr[data-name=nas] .health"))
                        .getText())
                .contains("connection refused");
        Browser.screenshot(browser, "everyone-target-unreachable");
    }

    @Test
    void aRefusedConfigFileShowsABannerInStatusAndInTheAuditUntilAGoodOneIsLoaded() throws Exception {
        logIn(1400, 1000);
        try {
            Files.writeString(
                    config, "forwards:\n  - { name: from-file, listen: 127.0.0.1:18001, target: 127.0.0.1:99999 }\n");
            WebElement banner = visible("#config-banner");
            until(ExpectedConditions.textToBePresentInElement(banner, "port 99999 is out of range"));
            assertThat(banner.getText())
                    .contains("Your config file was refused")
                    .contains("portgate.yaml");
            Browser.screenshot(browser, "everyone-config-refused");
            Processes.Result status = gateway.run(
                    JarProcess.command("status", "--data", dir.resolve("data").toString()));
            assertThat(status.out()).contains("CONFIG REFUSED").contains("port 99999 is out of range");
            assertThat(status.exit()).isEqualTo(1);
            go("audit");
            until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-table"), "config.refused"));
        } finally {
            Files.writeString(config, goodConfig() + "# fixed\n");
        }
        gateway.gateway().awaitOutput("accepted again");
        until(ExpectedConditions.invisibilityOfElementLocated(By.id("config-banner")));
        go("audit");
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("audit-table"), "config.accepted"));
    }

    @Test
    void settingsSayWhatIsWrongAndListOnlyDoorUsers() throws Exception {
        logIn(390, 844);
        go("settings");
        visible("#token-name");
        browser.findElement(By.id("token-create")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("token-secret"), "give the token a name"));
        type("token-name", "my script");
        browser.findElement(By.id("token-create")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("token-secret"), "has a space"));
        type("token-name", "backup");
        browser.findElement(By.id("token-create")).click();
        until(ExpectedConditions.textToBePresentInElementLocated(By.id("token-secret"), "pgt_"));
        until(d -> d.findElement(By.cssSelector("#tokens-table tr[data-name=backup] td.last-used"))
                .getText()
                .equals("never"));
        assertThat(browser.findElements(By.cssSelector("#users-table tr[data-name=admin]")))
                .isEmpty();
        assertThat(visible("#users-empty").getText()).isEqualTo("No door users yet.");
        Browser.screenshot(browser, "everyone-settings-phone");
    }
}
