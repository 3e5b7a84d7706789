package dev.portgate.web;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Forward;
import dev.portgate.forward.PortForward;
import dev.portgate.igd.IgdService;
import dev.portgate.igd.Lease;
import dev.portgate.rules.RuleService;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The LAN devices the gateway knows, so the form offers "NAS (192.168.1.11)" instead of a blank box:
 * the kernel's neighbour table, the DHCP server's leases (dnsmasq), devices that asked for UPnP/NAT-PMP/PCP
 * leases, and the targets of existing forwards. No reverse DNS: a lookup per device would leak to the
 * outside resolver and stall the page.
 */
final class Devices {

    /** A device by address: its best name, its hardware address, and where it was seen. */
    record Device(String address, String name, String mac, Set<String> seen) {}

    private static final Path ARP = Path.of("/proc/net/arp");
    private static final List<Path> DHCP_LEASES =
            List.of(Path.of("/var/lib/misc/dnsmasq.leases"), Path.of("/var/lib/dnsmasq/dnsmasq.leases"));

    private final RuleService rules;
    private final IgdService igd;

    Devices(RuleService rules, IgdService igd) {
        this.rules = rules;
        this.igd = igd;
    }

    List<Device> list() {
        Map<String, Device> out = new LinkedHashMap<>();
        for (String line : lines(ARP)) {
            // IP address  HW type  Flags  HW address  Mask  Device; flags 0x0 is an incomplete entry
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && Addresses.literal(f[0]) != null && !f[2].equals("0x0")) {
                add(out, f[0], "", f[3], "neighbour table (" + f[5] + ")");
            }
        }
        for (Path leases : DHCP_LEASES) {
            for (String line : lines(leases)) {
                // expiry  MAC  IP  hostname  client-id
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && Addresses.literal(f[2]) != null) {
                    add(out, f[2], f[3].equals("*") ? "" : f[3], f[1], "DHCP lease");
                }
            }
        }
        for (Lease l : igd.leases().list()) {
            add(out, l.device().getHostAddress(), l.description(), "", l.via().label() + " lease");
        }
        for (Forward f : rules.forwards()) {
            if (f instanceof PortForward pf) {
                InetAddress a = Addresses.literal(pf.target().host());
                if (a != null && !a.isLoopbackAddress()) {
                    add(out, a.getHostAddress(), f.name(), "", "target of forward " + f.name());
                }
            }
        }
        return List.copyOf(out.values());
    }

    private static void add(Map<String, Device> out, String address, String name, String mac, String seen) {
        Device d = out.get(address);
        Set<String> seenBy = new LinkedHashSet<>(d == null ? Set.of() : d.seen());
        seenBy.add(seen);
        out.put(
                address,
                new Device(
                        address,
                        d != null && !d.name().isEmpty() ? d.name() : name,
                        d != null && !d.mac().isEmpty() ? d.mac() : mac,
                        seenBy));
    }

    private static List<String> lines(Path file) {
        try {
            List<String> all = Files.readAllLines(file);
            return file.equals(ARP) && !all.isEmpty() ? all.subList(1, all.size()) : all;
        } catch (IOException | SecurityException e) {
            return new ArrayList<>();
        }
    }
}
