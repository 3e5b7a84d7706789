package dev.portgate.igd;

import dev.portgate.forward.Addresses;
import dev.portgate.forward.Protocol;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * UPnP IGD client side: finds WANIPConnection (2 or 1) in the router's description and calls it
 * over SOAP. A mapping the router no longer lists (714) means it restarted and forgot.
 */
final class UpnpRouter implements Router {

    private static final Pattern SERVICE = Pattern.compile(
            "<service>.*?<serviceType>\\s*(urn:schemas-upnp-org:service:WAN(?:IP|PPP)Connection:\\d)\\s*</serviceType>.*?<controlURL>\\s*([^<]+?)\\s*</controlURL>.*?</service>",
            Pattern.DOTALL);

    private final URI description;
    private final URI control;
    private final String serviceType;
    private final InetAddress localAddress;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private UpnpRouter(URI description, URI control, String serviceType, InetAddress localAddress) {
        this.description = description;
        this.control = control;
        this.serviceType = serviceType;
        this.localAddress = localAddress;
    }

    static UpnpRouter open(URI description) throws IOException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        String xml;
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(description)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + description + " answered " + r.statusCode());
            }
            xml = r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        Matcher m = SERVICE.matcher(xml);
        String type = null;
        String controlPath = null;
        while (m.find()) {
            if (type == null || m.group(1).compareTo(type) > 0) {
                type = m.group(1);
                controlPath = m.group(2);
            }
        }
        if (type == null) {
            throw new IOException(description + " describes no WANIPConnection service — not an internet gateway");
        }
        InetAddress local;
        try (Socket s = new Socket()) {
            s.connect(
                    new InetSocketAddress(
                            description.getHost(), description.getPort() < 0 ? 80 : description.getPort()),
                    3000);
            local = s.getLocalAddress();
        }
        return new UpnpRouter(description, description.resolve(controlPath), type, local);
    }

    /** SSDP search for an IGD on the LAN; the first answer's LOCATION, or an error after two seconds. */
    static URI discover() throws IOException {
        String search = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\n"
                + "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n";
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] b = search.getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(b, b.length, new InetSocketAddress("239.255.255.250", 1900)));
            long deadline = System.nanoTime() + 2_000_000_000L;
            byte[] buffer = new byte[2048];
            while (System.nanoTime() < deadline) {
                s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                String location = Ssdp.headers(new String(buffer, 0, p.getLength(), StandardCharsets.US_ASCII))
                        .get("location");
                if (location != null && location.startsWith("http://")) {
                    return URI.create(location);
                }
            }
        }
        throw new IOException("no UPnP internet gateway answered an SSDP search within 2 s");
    }

    @Override
    public String describe() {
        return "UPnP at " + description;
    }

    @Override
    public InetAddress externalAddress() throws IOException {
        String a = call("GetExternalIPAddress", new LinkedHashMap<>()).getOrDefault("NewExternalIPAddress", "");
        return Addresses.literal(a);
    }

    @Override
    public Granted map(Protocol protocol, int internalPort, int externalPort, Duration lifetime, String description)
            throws IOException {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", String.valueOf(externalPort));
        args.put("NewProtocol", protocol.name());
        args.put("NewInternalPort", String.valueOf(internalPort));
        args.put("NewInternalClient", localAddress.getHostAddress());
        args.put("NewEnabled", "1");
        args.put("NewPortMappingDescription", description);
        args.put("NewLeaseDuration", String.valueOf(lifetime.toSeconds()));
        call("AddPortMapping", args);
        // AddPortMapping does not say which lifetime the router granted; the entry does.
        Map<String, String> query = new LinkedHashMap<>();
        query.put("NewRemoteHost", "");
        query.put("NewExternalPort", String.valueOf(externalPort));
        query.put("NewProtocol", protocol.name());
        long granted = lifetime.toSeconds();
        try {
            String left = call("GetSpecificPortMappingEntry", query).getOrDefault("NewLeaseDuration", "");
            if (left.matches("\\d{1,10}") && Long.parseLong(left) > 0) {
                granted = Math.min(granted, Long.parseLong(left));
            }
        } catch (IOException e) {
            // An IGD without the query: trust the lifetime asked for.
        }
        return new Granted(externalPort, granted);
    }

    @Override
    public void unmap(Protocol protocol, int internalPort, int externalPort) throws IOException {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("NewRemoteHost", "");
        args.put("NewExternalPort", String.valueOf(externalPort));
        args.put("NewProtocol", protocol.name());
        call("DeletePortMapping", args);
    }

    @Override
    public boolean lostState(Collection<UpstreamMapping> held) throws IOException {
        for (UpstreamMapping m : held) {
            if (m.externalPort() == 0) {
                continue;
            }
            Map<String, String> args = new LinkedHashMap<>();
            args.put("NewRemoteHost", "");
            args.put("NewExternalPort", String.valueOf(m.externalPort()));
            args.put("NewProtocol", m.protocol().name());
            try {
                call("GetSpecificPortMappingEntry", args);
            } catch (UpnpCallFailed e) {
                if (e.code == UpnpError.NO_SUCH_ENTRY) {
                    return true;
                }
                throw e;
            }
        }
        return false;
    }

    /** A SOAP fault from the router, with its UPnP error code. */
    static final class UpnpCallFailed extends IOException {
        final int code;

        UpnpCallFailed(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    private Map<String, String> call(String action, Map<String, String> args) throws IOException {
        StringBuilder body = new StringBuilder(
                "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                        + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action
                        + " xmlns:u=\"" + serviceType + "\">");
        args.forEach((k, v) -> body.append('<')
                .append(k)
                .append('>')
                .append(Soap.escape(v))
                .append("</")
                .append(k)
                .append('>'));
        body.append("</u:").append(action).append("></s:Body></s:Envelope>\r\n");
        HttpRequest request = HttpRequest.newBuilder(control)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "text/xml; charset=\"utf-8\"")
                .header("SOAPAction", "\"" + serviceType + "#" + action + "\"")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() != 200) {
            Matcher code =
                    Pattern.compile("<errorCode>\\s*(\\d+)\\s*</errorCode>").matcher(text);
            Matcher why = Pattern.compile("<errorDescription>([^<]*)</errorDescription>")
                    .matcher(text);
            int c = code.find() ? Integer.parseInt(code.group(1)) : response.statusCode();
            throw new UpnpCallFailed(
                    c,
                    "the router refused " + action + ": UPnP error " + c
                            + (why.find() ? " (" + why.group(1) + ")" : ""));
        }
        try {
            return Soap.parse(response.body(), null).args();
        } catch (UpnpError e) {
            throw new IOException("the router's answer to " + action + " is not SOAP: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        // HttpClient holds no connection between calls that needs closing on Java 17.
    }
}
