package dev.portgate.igd;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The UPnP device and service descriptions: an InternetGatewayDevice:2 with a WANDevice:2 holding
 * WANCommonInterfaceConfig:1 and a WANConnectionDevice:2 holding WANIPConnection:2. URLs are
 * relative, so the same text serves every LAN address.
 */
final class Descriptions {

    static final String IGD = "urn:schemas-upnp-org:device:InternetGatewayDevice:2";
    static final String WAN_DEVICE = "urn:schemas-upnp-org:device:WANDevice:2";
    static final String WAN_CONNECTION_DEVICE = "urn:schemas-upnp-org:device:WANConnectionDevice:2";
    static final String WAN_IP = "urn:schemas-upnp-org:service:WANIPConnection:2";
    static final String WAN_CIF = "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1";

    static final String ROOT_PATH = "/rootDesc.xml";
    static final String IP_CONTROL = "/ctl/IPConn";
    static final String CIF_CONTROL = "/ctl/CmnIfCfg";
    static final String IP_EVENTS = "/evt/IPConn";
    static final String CIF_EVENTS = "/evt/CmnIfCfg";
    static final String IP_SCPD = "/WANIPCn.xml";
    static final String CIF_SCPD = "/WANCfg.xml";

    final UUID root;
    final UUID wan;
    final UUID connection;

    Descriptions(String seed) {
        this.root = UUID.nameUUIDFromBytes(("portgate-igd-root " + seed).getBytes(StandardCharsets.UTF_8));
        this.wan = UUID.nameUUIDFromBytes(("portgate-igd-wan " + seed).getBytes(StandardCharsets.UTF_8));
        this.connection = UUID.nameUUIDFromBytes(("portgate-igd-conn " + seed).getBytes(StandardCharsets.UTF_8));
    }

    String root(String presentationUrl) {
        return "<?xml version=\"1.0\"?>\r\n"
                + "<root xmlns=\"urn:schemas-upnp-org:device-1-0\" configId=\"1\">"
                + "<specVersion><major>1</major><minor>1</minor></specVersion>"
                + "<device><deviceType>" + IGD + "</deviceType>"
                + "<friendlyName>portgate gateway</friendlyName><manufacturer>portgate</manufacturer>"
                + "<manufacturerURL>https://github.com/portgate</manufacturerURL><modelDescription>portgate port-forwarding gateway</modelDescription>"
                + "<modelName>portgate</modelName><modelNumber>1</modelNumber><serialNumber>" + root + "</serialNumber>"
                + "<UDN>uuid:" + root + "</UDN>"
                + "<deviceList><device><deviceType>" + WAN_DEVICE
                + "</deviceType><friendlyName>WANDevice</friendlyName>"
                + "<manufacturer>portgate</manufacturer><modelName>WAN Device</modelName><UDN>uuid:" + wan + "</UDN>"
                + "<serviceList><service><serviceType>" + WAN_CIF + "</serviceType>"
                + "<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId><SCPDURL>" + CIF_SCPD + "</SCPDURL>"
                + "<controlURL>" + CIF_CONTROL + "</controlURL><eventSubURL>" + CIF_EVENTS
                + "</eventSubURL></service></serviceList>"
                + "<deviceList><device><deviceType>" + WAN_CONNECTION_DEVICE
                + "</deviceType><friendlyName>WANConnectionDevice</friendlyName>"
                + "<manufacturer>portgate</manufacturer><modelName>WAN Connection Device</modelName><UDN>uuid:"
                + connection + "</UDN>"
                + "<serviceList><service><serviceType>" + WAN_IP + "</serviceType>"
                + "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>" + IP_SCPD + "</SCPDURL>"
                + "<controlURL>" + IP_CONTROL + "</controlURL><eventSubURL>" + IP_EVENTS
                + "</eventSubURL></service></serviceList>"
                + "</device></deviceList></device></deviceList>"
                + "<presentationURL>" + presentationUrl + "</presentationURL></device></root>\r\n";
    }

    /** The WANIPConnection:2 actions and the state variables they use. */
    static String ipScpd() {
        return scpd(
                new String[][] {
                    {
                        "AddPortMapping",
                        "in NewRemoteHost RemoteHost",
                        "in NewExternalPort ExternalPort",
                        "in NewProtocol PortMappingProtocol",
                        "in NewInternalPort InternalPort",
                        "in NewInternalClient InternalClient",
                        "in NewEnabled PortMappingEnabled",
                        "in NewPortMappingDescription PortMappingDescription",
                        "in NewLeaseDuration PortMappingLeaseDuration"
                    },
                    {
                        "AddAnyPortMapping",
                        "in NewRemoteHost RemoteHost",
                        "in NewExternalPort ExternalPort",
                        "in NewProtocol PortMappingProtocol",
                        "in NewInternalPort InternalPort",
                        "in NewInternalClient InternalClient",
                        "in NewEnabled PortMappingEnabled",
                        "in NewPortMappingDescription PortMappingDescription",
                        "in NewLeaseDuration PortMappingLeaseDuration",
                        "out NewReservedPort ExternalPort"
                    },
                    {
                        "DeletePortMapping",
                        "in NewRemoteHost RemoteHost",
                        "in NewExternalPort ExternalPort",
                        "in NewProtocol PortMappingProtocol"
                    },
                    {
                        "DeletePortMappingRange",
                        "in NewStartPort ExternalPort",
                        "in NewEndPort ExternalPort",
                        "in NewProtocol PortMappingProtocol",
                        "in NewManage A_ARG_TYPE_Manage"
                    },
                    {
                        "GetSpecificPortMappingEntry",
                        "in NewRemoteHost RemoteHost",
                        "in NewExternalPort ExternalPort",
                        "in NewProtocol PortMappingProtocol",
                        "out NewInternalPort InternalPort",
                        "out NewInternalClient InternalClient",
                        "out NewEnabled PortMappingEnabled",
                        "out NewPortMappingDescription PortMappingDescription",
                        "out NewLeaseDuration PortMappingLeaseDuration"
                    },
                    {
                        "GetGenericPortMappingEntry",
                        "in NewPortMappingIndex PortMappingNumberOfEntries",
                        "out NewRemoteHost RemoteHost",
                        "out NewExternalPort ExternalPort",
                        "out NewProtocol PortMappingProtocol",
                        "out NewInternalPort InternalPort",
                        "out NewInternalClient InternalClient",
                        "out NewEnabled PortMappingEnabled",
                        "out NewPortMappingDescription PortMappingDescription",
                        "out NewLeaseDuration PortMappingLeaseDuration"
                    },
                    {
                        "GetListOfPortMappings",
                        "in NewStartPort ExternalPort",
                        "in NewEndPort ExternalPort",
                        "in NewProtocol PortMappingProtocol",
                        "in NewManage A_ARG_TYPE_Manage",
                        "in NewNumberOfPorts PortMappingNumberOfEntries",
                        "out NewPortListing A_ARG_TYPE_PortListing"
                    },
                    {"GetExternalIPAddress", "out NewExternalIPAddress ExternalIPAddress"},
                    {
                        "GetStatusInfo",
                        "out NewConnectionStatus ConnectionStatus",
                        "out NewLastConnectionError LastConnectionError",
                        "out NewUptime Uptime"
                    },
                    {
                        "GetConnectionTypeInfo",
                        "out NewConnectionType ConnectionType",
                        "out NewPossibleConnectionTypes PossibleConnectionTypes"
                    },
                    {"GetNATRSIPStatus", "out NewRSIPAvailable RSIPAvailable", "out NewNATEnabled NATEnabled"},
                },
                new String[] {
                    "RemoteHost string",
                    "ExternalPort ui2",
                    "PortMappingProtocol string",
                    "InternalPort ui2",
                    "InternalClient string",
                    "PortMappingEnabled boolean",
                    "PortMappingDescription string",
                    "PortMappingLeaseDuration ui4",
                    "A_ARG_TYPE_Manage boolean",
                    "A_ARG_TYPE_PortListing string",
                    "ExternalIPAddress string!",
                    "PortMappingNumberOfEntries ui2!",
                    "ConnectionStatus string!",
                    "LastConnectionError string",
                    "Uptime ui4",
                    "ConnectionType string",
                    "PossibleConnectionTypes string!",
                    "RSIPAvailable boolean",
                    "NATEnabled boolean",
                });
    }

    static String cifScpd() {
        return scpd(
                new String[][] {
                    {
                        "GetCommonLinkProperties",
                        "out NewWANAccessType WANAccessType",
                        "out NewLayer1UpstreamMaxBitRate Layer1UpstreamMaxBitRate",
                        "out NewLayer1DownstreamMaxBitRate Layer1DownstreamMaxBitRate",
                        "out NewPhysicalLinkStatus PhysicalLinkStatus"
                    },
                    {"GetTotalBytesSent", "out NewTotalBytesSent TotalBytesSent"},
                    {"GetTotalBytesReceived", "out NewTotalBytesReceived TotalBytesReceived"},
                    {"GetTotalPacketsSent", "out NewTotalPacketsSent TotalPacketsSent"},
                    {"GetTotalPacketsReceived", "out NewTotalPacketsReceived TotalPacketsReceived"},
                },
                new String[] {
                    "WANAccessType string", "Layer1UpstreamMaxBitRate ui4", "Layer1DownstreamMaxBitRate ui4",
                            "PhysicalLinkStatus string!",
                    "TotalBytesSent ui4", "TotalBytesReceived ui4", "TotalPacketsSent ui4", "TotalPacketsReceived ui4",
                });
    }

    /** Actions as "direction Name RelatedVariable"; variables as "Name type", a trailing ! meaning evented. */
    private static String scpd(String[][] actions, String[] variables) {
        StringBuilder b =
                new StringBuilder("<?xml version=\"1.0\"?>\r\n<scpd xmlns=\"urn:schemas-upnp-org:service-1-0\">"
                        + "<specVersion><major>1</major><minor>0</minor></specVersion><actionList>");
        for (String[] a : actions) {
            b.append("<action><name>").append(a[0]).append("</name><argumentList>");
            for (int i = 1; i < a.length; i++) {
                String[] w = a[i].split(" ");
                b.append("<argument><name>")
                        .append(w[1])
                        .append("</name><direction>")
                        .append(w[0])
                        .append("</direction><relatedStateVariable>")
                        .append(w[2])
                        .append("</relatedStateVariable></argument>");
            }
            b.append("</argumentList></action>");
        }
        b.append("</actionList><serviceStateTable>");
        for (String v : variables) {
            String[] w = v.split(" ");
            boolean evented = w[1].endsWith("!");
            b.append("<stateVariable sendEvents=\"")
                    .append(evented ? "yes" : "no")
                    .append("\"><name>")
                    .append(w[0])
                    .append("</name><dataType>")
                    .append(evented ? w[1].substring(0, w[1].length() - 1) : w[1])
                    .append("</dataType></stateVariable>");
        }
        return b.append("</serviceStateTable></scpd>\r\n").toString();
    }
}
