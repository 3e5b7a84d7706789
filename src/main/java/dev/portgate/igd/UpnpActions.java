package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Protocol;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The WANIPConnection:2 and WANCommonInterfaceConfig:1 actions, each checked argument by argument
 * and answered with the error code IGD clients expect. Runs on the IGD worker thread.
 */
final class UpnpActions {

    private static final int MAX_LISTING = 1000;

    private final IgdService igd;
    private final WanCounters counters = new WanCounters();

    UpnpActions(IgdService igd) {
        this.igd = igd;
    }

    Map<String, String> run(Soap.Call call, InetAddress requester) throws UpnpError {
        return switch (call.action()) {
            case "AddPortMapping" -> add(call, requester, true);
            case "AddAnyPortMapping" -> add(call, requester, false);
            case "DeletePortMapping" -> delete(call, requester);
            case "DeletePortMappingRange" -> deleteRange(call, requester);
            case "GetSpecificPortMappingEntry" -> specific(call);
            case "GetGenericPortMappingEntry" -> generic(call);
            case "GetListOfPortMappings" -> listing(call);
            case "GetExternalIPAddress" -> out("NewExternalIPAddress", external());
            case "GetStatusInfo" -> status();
            case "GetConnectionTypeInfo" -> out(
                    "NewConnectionType", "IP_Routed", "NewPossibleConnectionTypes", "IP_Routed");
            case "GetNATRSIPStatus" -> out("NewRSIPAvailable", "0", "NewNATEnabled", "1");
            case "GetCommonLinkProperties" -> out(
                    "NewWANAccessType",
                    "Ethernet",
                    "NewLayer1UpstreamMaxBitRate",
                    "1000000000",
                    "NewLayer1DownstreamMaxBitRate",
                    "1000000000",
                    "NewPhysicalLinkStatus",
                    "Up");
            case "GetTotalBytesSent" -> out("NewTotalBytesSent", counters.read("tx_bytes"));
            case "GetTotalBytesReceived" -> out("NewTotalBytesReceived", counters.read("rx_bytes"));
            case "GetTotalPacketsSent" -> out("NewTotalPacketsSent", counters.read("tx_packets"));
            case "GetTotalPacketsReceived" -> out("NewTotalPacketsReceived", counters.read("rx_packets"));
            default -> throw new UpnpError(UpnpError.INVALID_ACTION, "action " + call.action() + " is not known");
        };
    }

    private Map<String, String> add(Soap.Call call, InetAddress requester, boolean exact) throws UpnpError {
        InetAddress remote = remoteHost(call.arg("NewRemoteHost"));
        int external = port(call.arg("NewExternalPort"), "NewExternalPort", true);
        Protocol protocol = protocol(call.arg("NewProtocol"));
        int internal = port(call.arg("NewInternalPort"), "NewInternalPort", true);
        String clientText = call.arg("NewInternalClient");
        InetAddress client = Addresses.literal(clientText);
        if (client == null) {
            throw new UpnpError(
                    UpnpError.INVALID_ARGS, "NewInternalClient \"" + clientText + "\" is not an IP address");
        }
        boolean enabled = bool(call.arg("NewEnabled"), "NewEnabled");
        String description = call.args().getOrDefault("NewPortMappingDescription", "");
        long lease = number(call.arg("NewLeaseDuration"), "NewLeaseDuration", 0xffffffffL);
        if (external == 0 && exact) {
            throw new UpnpError(
                    UpnpError.WILDCARD_NOT_PERMITTED_IN_EXT_PORT,
                    "NewExternalPort 0 is a wildcard; name a port (or use AddAnyPortMapping)");
        }
        if (internal == 0) {
            throw new UpnpError(UpnpError.WILDCARD_NOT_PERMITTED_IN_INT_PORT, "NewInternalPort must not be 0");
        }
        if (!igd.upnpOn()) {
            throw new UpnpError(UpnpError.NOT_AUTHORIZED, "UPnP port mapping is turned off on this gateway");
        }
        var existing = igd.leases().get(protocol, external == 0 ? internal : external);
        if (exact
                && existing.isPresent()
                && existing.get().via() != Origin.Kind.UPNP
                && existing.get().device().equals(Addresses.unmap(client))) {
            throw new UpnpError(
                    UpnpError.CONFLICT_WITH_OTHER_MECHANISMS,
                    "the mapping exists already, made with "
                            + existing.get().via().label());
        }
        LeaseOutcome outcome = igd.leases()
                .map(new LeaseRequest(
                        Origin.Kind.UPNP,
                        requester,
                        Addresses.unmap(client),
                        protocol,
                        external,
                        internal,
                        Duration.ofSeconds(lease),
                        description,
                        remote,
                        enabled,
                        "",
                        exact));
        if (outcome instanceof LeaseOutcome.Mapped m) {
            igd.stats().count("upnp", "mapped");
            return exact
                    ? Map.of()
                    : out("NewReservedPort", String.valueOf(m.lease().externalPort()));
        }
        LeaseOutcome.Refused r = (LeaseOutcome.Refused) outcome;
        igd.stats().count("upnp", "refused");
        igd.logRefusal("UPnP " + call.action(), requester, r);
        throw new UpnpError(
                switch (r.reason()) {
                    case NOT_PERMITTED, NOT_OWNER -> UpnpError.NOT_AUTHORIZED;
                    case CONFLICT -> UpnpError.CONFLICT_IN_MAPPING_ENTRY;
                    case QUOTA, NO_PORT -> UpnpError.NO_PORT_MAPS_AVAILABLE;
                    case NOT_FOUND -> UpnpError.NO_SUCH_ENTRY;
                    case INVALID -> UpnpError.INVALID_ARGS;
                },
                r.message());
    }

    private Map<String, String> delete(Soap.Call call, InetAddress requester) throws UpnpError {
        remoteHost(call.arg("NewRemoteHost"));
        int external = port(call.arg("NewExternalPort"), "NewExternalPort", false);
        Protocol protocol = protocol(call.arg("NewProtocol"));
        LeaseOutcome outcome = igd.leases().delete(Origin.Kind.UPNP, requester, protocol, external, null);
        if (outcome instanceof LeaseOutcome.Refused r) {
            throw new UpnpError(
                    r.reason() == LeaseOutcome.Reason.NOT_FOUND ? UpnpError.NO_SUCH_ENTRY : UpnpError.NOT_AUTHORIZED,
                    r.message());
        }
        igd.stats().count("upnp", "deleted");
        return Map.of();
    }

    private Map<String, String> deleteRange(Soap.Call call, InetAddress requester) throws UpnpError {
        int start = port(call.arg("NewStartPort"), "NewStartPort", true);
        int end = port(call.arg("NewEndPort"), "NewEndPort", true);
        Protocol protocol = protocol(call.arg("NewProtocol"));
        boolean manage = bool(call.arg("NewManage"), "NewManage");
        if (start > end) {
            throw new UpnpError(
                    UpnpError.INCONSISTENT_PARAMETERS, "NewStartPort " + start + " is above NewEndPort " + end);
        }
        List<Lease> inRange = igd.leases().list().stream()
                .filter(l -> l.protocol() == protocol && l.externalPort() >= start && l.externalPort() <= end)
                .toList();
        if (inRange.isEmpty()) {
            throw new UpnpError(
                    UpnpError.PORT_MAPPING_NOT_FOUND, "no " + protocol.name() + " mapping in " + start + "-" + end);
        }
        // Without NewManage (or in secure mode) a device deletes only its own mappings.
        boolean all = manage && !igd.config().secureMode();
        List<Lease> mine = inRange.stream()
                .filter(l -> all || l.device().equals(requester))
                .toList();
        if (mine.isEmpty()) {
            throw new UpnpError(
                    UpnpError.NOT_AUTHORIZED, "the mappings in " + start + "-" + end + " belong to other devices");
        }
        for (Lease l : mine) {
            igd.leases().remove(l.name(), igd.actor("upnp", requester));
        }
        igd.stats().count("upnp", "deleted");
        return Map.of();
    }

    private Map<String, String> specific(Soap.Call call) throws UpnpError {
        InetAddress remote = remoteHost(call.arg("NewRemoteHost"));
        int external = port(call.arg("NewExternalPort"), "NewExternalPort", false);
        Protocol protocol = protocol(call.arg("NewProtocol"));
        Lease l = igd.leases()
                .get(protocol, external)
                .filter(x -> remote == null || remote.equals(x.remoteHost()))
                .orElseThrow(() -> new UpnpError(
                        UpnpError.NO_SUCH_ENTRY, "there is no " + protocol.name() + " mapping on port " + external));
        return out(
                "NewInternalPort",
                String.valueOf(l.internalPort()),
                "NewInternalClient",
                l.device().getHostAddress(),
                "NewEnabled",
                l.enabled() ? "1" : "0",
                "NewPortMappingDescription",
                l.description(),
                "NewLeaseDuration",
                String.valueOf(l.secondsLeft(now())));
    }

    private Map<String, String> generic(Soap.Call call) throws UpnpError {
        long index = number(call.arg("NewPortMappingIndex"), "NewPortMappingIndex", 65535);
        List<Lease> all = igd.leases().list();
        if (index >= all.size()) {
            throw new UpnpError(
                    UpnpError.ARRAY_INDEX_INVALID,
                    "there are " + all.size() + " mappings; index " + index + " is past the end");
        }
        Lease l = all.get((int) index);
        return out(
                "NewRemoteHost",
                l.remoteHostText(),
                "NewExternalPort",
                String.valueOf(l.externalPort()),
                "NewProtocol",
                l.protocol().name(),
                "NewInternalPort",
                String.valueOf(l.internalPort()),
                "NewInternalClient",
                l.device().getHostAddress(),
                "NewEnabled",
                l.enabled() ? "1" : "0",
                "NewPortMappingDescription",
                l.description(),
                "NewLeaseDuration",
                String.valueOf(l.secondsLeft(now())));
    }

    private Map<String, String> listing(Soap.Call call) throws UpnpError {
        int start = port(call.arg("NewStartPort"), "NewStartPort", true);
        int end = port(call.arg("NewEndPort"), "NewEndPort", true);
        Protocol protocol = protocol(call.arg("NewProtocol"));
        bool(call.arg("NewManage"), "NewManage");
        long wanted = number(call.arg("NewNumberOfPorts"), "NewNumberOfPorts", 65535);
        if (start > end) {
            throw new UpnpError(
                    UpnpError.INCONSISTENT_PARAMETERS, "NewStartPort " + start + " is above NewEndPort " + end);
        }
        long limit = wanted == 0 ? MAX_LISTING : Math.min(wanted, MAX_LISTING);
        List<Lease> found = igd.leases().list().stream()
                .filter(l -> l.protocol() == protocol && l.externalPort() >= start && l.externalPort() <= end)
                .limit(limit)
                .toList();
        if (found.isEmpty()) {
            throw new UpnpError(
                    UpnpError.PORT_MAPPING_NOT_FOUND, "no " + protocol.name() + " mapping in " + start + "-" + end);
        }
        StringBuilder b = new StringBuilder("<p:PortMappingList xmlns:p=\"urn:schemas-upnp-org:gw:WANIPConnection\" "
                + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"urn:schemas-upnp-org:gw:WANIPConnection "
                + "http://www.upnp.org/schemas/gw/WANIPConnection-v2.xsd\">");
        Instant now = now();
        for (Lease l : found) {
            b.append("<p:PortMappingEntry>")
                    .append(element("NewRemoteHost", l.remoteHostText()))
                    .append(element("NewExternalPort", String.valueOf(l.externalPort())))
                    .append(element("NewProtocol", l.protocol().name()))
                    .append(element("NewInternalPort", String.valueOf(l.internalPort())))
                    .append(element("NewInternalClient", l.device().getHostAddress()))
                    .append(element("NewEnabled", l.enabled() ? "1" : "0"))
                    .append(element("NewDescription", l.description()))
                    .append(element("NewLeaseTime", String.valueOf(l.secondsLeft(now))))
                    .append("</p:PortMappingEntry>");
        }
        b.append("</p:PortMappingList>");
        return out("NewPortListing", b.toString());
    }

    private Map<String, String> status() {
        long uptime = (System.currentTimeMillis() - igd.startedAtMillis()) / 1000;
        return out(
                "NewConnectionStatus",
                igd.externalAddress() == null ? "Disconnected" : "Connected",
                "NewLastConnectionError",
                "ERROR_NONE",
                "NewUptime",
                String.valueOf(uptime));
    }

    private String external() {
        InetAddress a = igd.externalAddress();
        return a == null ? "" : a.getHostAddress();
    }

    private Instant now() {
        return igd.clock().instant();
    }

    private static String element(String name, String value) {
        return "<p:" + name + ">" + Soap.escape(value) + "</p:" + name + ">";
    }

    private static Map<String, String> out(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /** Empty (or a wildcard) means any remote host. */
    private static InetAddress remoteHost(String s) throws UpnpError {
        if (s.isEmpty() || s.equals("*") || s.equals("0.0.0.0")) {
            return null;
        }
        InetAddress a = Addresses.literal(s);
        if (a == null) {
            throw new UpnpError(UpnpError.INVALID_ARGS, "NewRemoteHost \"" + s + "\" is not an IP address");
        }
        return Addresses.unmap(a);
    }

    private static int port(String s, String name, boolean zeroAllowed) throws UpnpError {
        long p = number(s, name, 65535);
        if (p == 0 && !zeroAllowed) {
            throw new UpnpError(UpnpError.INVALID_ARGS, name + " must be 1-65535");
        }
        return (int) p;
    }

    private static long number(String s, String name, long max) throws UpnpError {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit) || Long.parseLong(s) > max) {
            throw new UpnpError(UpnpError.INVALID_ARGS, name + " \"" + s + "\" is not a number 0-" + max);
        }
        return Long.parseLong(s);
    }

    private static Protocol protocol(String s) throws UpnpError {
        return switch (s.toUpperCase(Locale.ROOT)) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            default -> throw new UpnpError(UpnpError.INVALID_ARGS, "NewProtocol \"" + s + "\" is not TCP or UDP");
        };
    }

    private static boolean bool(String s, String name) throws UpnpError {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            case "0", "false", "no" -> false;
            default -> throw new UpnpError(UpnpError.INVALID_ARGS, name + " \"" + s + "\" is not 0 or 1");
        };
    }
}
