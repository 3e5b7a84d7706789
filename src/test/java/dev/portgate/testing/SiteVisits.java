package dev.portgate.testing;

import java.time.Duration;
import java.util.List;

/** A visitor's request to a site by name on the gateway's https port: curl, the name pinned to 127.0.0.1. */
public final class SiteVisits {

    private static final Duration LIMIT = Duration.ofSeconds(40);

    private SiteVisits() {}

    /** GET https://name:port/ with the certificate not checked (the sites' own are self-signed). */
    public static Processes.Result get(String name, int httpsPort) throws Exception {
        return Processes.run(
                LIMIT,
                List.of(
                        Peers.require("curl"),
                        "-sS",
                        "-k",
                        "--max-time",
                        "20",
                        "--resolve",
                        name + ":" + httpsPort + ":127.0.0.1",
                        "https://" + name + ":" + httpsPort + "/"));
    }
}
