package dev.portgate.igd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The WAN interface's byte and packet counters, as WANCommonInterfaceConfig reports them: read from
 * the kernel for the interface of the default route (loopback when there is none), modulo 2^32 as
 * the ui4 type wraps.
 */
final class WanCounters {

    String read(String counter) throws UpnpError {
        String nic = defaultRouteInterface();
        try {
            long v = Long.parseLong(Files.readString(Path.of("/sys/class/net", nic, "statistics", counter))
                    .strip());
            return String.valueOf(v & 0xffffffffL);
        } catch (IOException | NumberFormatException e) {
            throw new UpnpError(
                    UpnpError.ACTION_FAILED, "cannot read " + counter + " of " + nic + ": " + e.getMessage());
        }
    }

    static String defaultRouteInterface() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && f[1].equals("00000000")) {
                    return f[0];
                }
            }
        } catch (IOException e) {
            // fall through to loopback
        }
        return "lo";
    }
}
