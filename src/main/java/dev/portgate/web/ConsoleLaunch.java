package dev.portgate.web;

import dev.portgate.Gateway;
import dev.portgate.net.KeyStores;
import dev.portgate.store.Accounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the console as the serve options ask: the first admin and the API token on a first start,
 * TLS when asked or when it listens beyond loopback, its URL written for the CLI, the first-run
 * password printed once.
 */
public final class ConsoleLaunch {

    private static final Logger log = LoggerFactory.getLogger(ConsoleLaunch.class);

    private ConsoleLaunch() {}

    /** {@code make} builds the server for the TLS key store chosen (null: plain HTTP). */
    public static WebServer start(
            Gateway.Console c,
            Path data,
            Accounts accounts,
            String node,
            Function<KeyStores.KeyStoreFile, WebServer> make)
            throws IOException {
        String firstRun = FirstRun.ensureAdmin(accounts, c.adminPassword());
        FirstRun.ensureTokens(accounts, data, c.apiToken(), node);
        boolean loopback =
                c.address().getAddress() != null && c.address().getAddress().isLoopbackAddress();
        KeyStores.KeyStoreFile tls = null;
        if (c.keyStore() != null) {
            tls = new KeyStores.KeyStoreFile(c.keyStore(), c.keyStorePassword() == null ? "" : c.keyStorePassword());
        } else if (c.tls() || (!loopback && !c.insecure())) {
            tls = ConsoleTls.selfSigned(data, c.address().getHostString());
        }
        WebServer server = make.apply(tls);
        server.start();
        FirstRun.writeUrl(data, server.url());
        log.info(
                "console and API on {}{}",
                server.url(),
                tls == null ? "" : " (TLS, certificate SHA-256 " + ConsoleTls.fingerprint(tls) + ")");
        if (!loopback && tls == null) {
            log.warn(
                    "the console listens on {} without TLS (--console-insecure): passwords and tokens cross the network in clear",
                    c.address());
        }
        if (firstRun != null) {
            System.out.println(firstRun);
            System.out.flush();
        }
        return server;
    }
}
