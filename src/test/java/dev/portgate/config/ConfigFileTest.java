package dev.portgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portgate.forward.Cidr;
import dev.portgate.forward.DynamicForward;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.PortRange;
import dev.portgate.forward.Problem;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.ProxyUser;
import dev.portgate.http.AcmeChallenge;
import dev.portgate.igd.UpstreamConfig;
import dev.portgate.kernel.KernelSettings;
import dev.portgate.policy.PasswordHash;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigFileTest {

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFile.parse(yaml, "pg.yaml"));
        assertThat(e).as("config should be refused").isNotNull();
        return e.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void readsEveryKeyOfThePortForward() throws Exception {
        GatewayConfig c = ConfigFile.parse(
                """
                forwards:
                  - name: web
                    protocol: tcp
                    listen: 0.0.0.0:8080
                    target: 192.168.1.5:80
                    allow: [192.168.0.0/16, 2001:db8::/32]
                    deny: 192.168.9.0/24
                    idle-timeout: 10m
                    max-connections: 1000
                    proxy-protocol: v2
                    enabled: true
                    description: home camera
                  - name: game
                    protocol: udp
                    listen: 27015-27020
                    target: 192.168.1.7:27015-27020
                  - name: v6
                    protocol: both
                    listen: "[::]:9000"
                    target: "[::1]:9001"
                    enabled: false
                """,
                "pg.yaml");
        PortForward web = (PortForward) c.forwards().get(0);
        assertThat(web.name()).isEqualTo("web");
        assertThat(web.protocols()).containsExactly(Protocol.TCP);
        assertThat(web.listen().toString()).isEqualTo("0.0.0.0:8080");
        assertThat(web.target().host()).isEqualTo("192.168.1.5");
        assertThat(web.target().ports()).isEqualTo(PortRange.of(80));
        assertThat(web.limits().allow()).containsExactly(Cidr.parse("192.168.0.0/16"), Cidr.parse("2001:db8::/32"));
        assertThat(web.limits().deny()).containsExactly(Cidr.parse("192.168.9.0/24"));
        assertThat(web.limits().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(web.limits().maxConnections()).isEqualTo(1000);
        assertThat(web.proxyProtocol()).isEqualTo(ProxyProtocol.V2);
        assertThat(web.description()).isEqualTo("home camera");
        PortForward game = (PortForward) c.forwards().get(1);
        assertThat(game.listen().ports()).isEqualTo(new PortRange(27015, 27020));
        assertThat(game.listen().host()).isEqualTo("0.0.0.0");
        assertThat(game.target().portFor(game.listen().ports(), 27017)).isEqualTo(27017);
        PortForward v6 = (PortForward) c.forwards().get(2);
        assertThat(v6.protocols()).isEqualTo(Set.of(Protocol.TCP, Protocol.UDP));
        assertThat(v6.listen().toString()).isEqualTo("[::]:9000");
        assertThat(v6.target().host()).isEqualTo("::1");
        assertThat(v6.enabled()).isFalse();
    }

    @Test
    void malformedYamlNamesTheLine() {
        assertThat(problems("forwards:\n  - name: web\n    listen: [8080\n"))
                .singleElement()
                .asString()
                .startsWith("pg.yaml:4: not valid YAML:");
    }

    @Test
    void aForwardThatMustRunInTheKernelNamesWhatTheKernelCannotDo() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: web
                    listen: 8443
                    target: 10.0.0.1:443
                    access: tls
                    data-plane: kernel
                  - name: cam
                    listen: 8554
                    target: cam.lan:554
                    data-plane: kernel
                  - name: odd
                    listen: 8555
                    target: 10.0.0.2:554
                    data-plane: fast
                """))
                .containsExactly(
                        "pg.yaml:2: forward \"web\": data-plane: kernel cannot carry this forward: tls needs the relay"
                                + " — remove tls, or use data-plane: auto or relay",
                        "pg.yaml:9: forward \"cam\": data-plane: kernel cannot carry this forward: the target is a host"
                                + " name — remove target, or use data-plane: auto or relay",
                        "pg.yaml:14: forward \"odd\": data-plane: \"fast\" is not a data plane — use auto, kernel or relay");
    }

    @Test
    void theKernelSectionIsCheckedKeyByKey() throws Exception {
        assertThat(
                        problems(
                                """
                kernel:
                  enabled: maybe
                  table: "my table"
                  masquerade: sometimes
                  wan: [ "eth0 eth1" ]
                """))
                .hasSize(4)
                .allMatch(p -> p.startsWith("pg.yaml:"));
        GatewayConfig ok = ConfigFile.parse(
                "kernel: { enabled: true, table: pg2, masquerade: always, reflection: false, wan: [ eth0 ],"
                        + " keep-on-stop: true }\n",
                "pg.yaml");
        assertThat(ok.kernel())
                .isEqualTo(new KernelSettings(
                        KernelSettings.Enabled.TRUE,
                        "pg2",
                        KernelSettings.Masquerade.ALWAYS,
                        false,
                        List.of("eth0"),
                        true));
    }

    @Test
    void unknownKeysAreNamedWithTheirLine() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: web
                    listen: 8080
                    target: 10.0.0.1:80
                    listne: 9090
                """))
                .containsExactly(
                        "pg.yaml:5: forward \"web\": unknown key \"listne\" — known keys are name, kind, protocol, "
                                + "listen, target, allow, deny, idle-timeout, max-connections, expires, nodes, proxy-protocol, data-plane, enabled, description, access, knock-key, open-for, close-when-idle, rate-limit, bandwidth, tls-certificate, tls-key, tls-client-ca, target-tls, target-ca");
        assertThat(problems("forward:\n  - name: x\n"))
                .containsExactly(
                        "pg.yaml:1: unknown key \"forward\" — known keys are forwards, ssh-server, ssh-endpoints, tunnel-server, tunnel-endpoints, igd, upstream,"
                                + " firewall, knock, triggers, egress, kernel, http-routing, store, node");
    }

    @Test
    void sitesByNameAreCheckedAsTheyAreWritten() {
        assertThat(
                        problems(
                                """
                http-routing:
                  http: 127.0.0.1:8080
                  https: 127.0.0.1:8443
                  acme: { directory: "https://127.0.0.1:14000/dir" }
                forwards:
                  - { name: blog, kind: http, host: blog.example.net, target: 127.0.0.1:3000 }
                  - { name: copy, kind: http, host: BLOG.example.net., target: 127.0.0.1:3001 }
                  - { name: wide, kind: http, host: "*.net", target: 127.0.0.1:3002 }
                  - { name: nas, kind: http, host: nas.example.net, target: 127.0.0.1:443, tls: passthrough, access: login }
                  - { name: odd, kind: http, host: "bad_name!", target: 127.0.0.1:80, tls: sometimes }
                """))
                .containsExactly(
                        "pg.yaml:4: acme: the CA issues only to accounts that accept its terms of service — read them,"
                                + " then set accept-terms: true",
                        "pg.yaml:7: forward \"copy\": host blog.example.net is already routed by forward \"blog\" — one"
                                + " name, one site (a wildcard and an exact name may share)",
                        "pg.yaml:8: forward \"wide\": host: \"*.net\" covers a whole top-level domain — use *.name.tld or"
                                + " below",
                        "pg.yaml:9: forward \"nas\": access: login needs portgate to read the requests, so not with tls:"
                                + " passthrough — use tls: terminate",
                        "pg.yaml:10: forward \"odd\": host: \"bad_name!\" has the character '_' — a host name has letters,"
                                + " digits, hyphens and dots",
                        "pg.yaml:10: forward \"odd\": tls: \"sometimes\" is not a TLS mode — use terminate (portgate's"
                                + " certificate) or passthrough (the target's)");
    }

    @Test
    void theAcmeChallengeMustHaveThePortItIsAnsweredOn() throws Exception {
        assertThat(problems(
                        "http-routing:\n  https: 127.0.0.1:8443\n  acme: { directory: \"https://127.0.0.1:14000/dir\","
                                + " accept-terms: true, challenge: http-01 }\n"))
                .singleElement()
                .asString()
                .contains("challenge: http-01 needs http:");
        assertThat(problems(
                        "http-routing:\n  http: 127.0.0.1:8080\n  acme: { directory: \"https://127.0.0.1:14000/dir\","
                                + " accept-terms: true, challenge: tls-alpn-01 }\n"))
                .singleElement()
                .asString()
                .contains("challenge: tls-alpn-01 needs https:");
        assertThat(problems(
                        "http-routing:\n  https: 127.0.0.1:8443\n  acme: { directory: \"https://127.0.0.1:14000/dir\","
                                + " accept-terms: true, challenge: dns-01 }\n"))
                .singleElement()
                .asString()
                .contains("\"dns-01\" is not a challenge — use http-01 or tls-alpn-01");
        assertThat(ConfigFile.parse(
                                "http-routing:\n  https: 127.0.0.1:8443\n  acme: { directory: \"https://127.0.0.1:14000/dir\","
                                        + " accept-terms: true }\n",
                                "pg.yaml")
                        .httpRouting()
                        .acme()
                        .challenge())
                .as("https alone: tls-alpn-01 by default")
                .isEqualTo(AcmeChallenge.TLS_ALPN_01);
    }

    @Test
    void badPortsAreEachReported() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: zero
                    listen: 0
                    target: 10.0.0.1:80
                  - name: big
                    listen: 8080
                    target: 10.0.0.1:70000
                  - name: reversed
                    listen: 9000-8000
                    target: 10.0.0.1:80
                  - name: sizes
                    listen: 7000-7009
                    target: 10.0.0.1:7000-7004
                  - name: word
                    listen: http
                    target: 10.0.0.1:80
                """))
                .containsExactly(
                        "pg.yaml:3: forward \"zero\": listen: port 0 is out of range — use 1-65535",
                        "pg.yaml:7: forward \"big\": target: port 70000 is out of range — use 1-65535",
                        "pg.yaml:9: forward \"reversed\": listen: range 9000-8000 is reversed — write 8000-9000",
                        "pg.yaml:13: forward \"sizes\": target range 7000-7004 has 5 ports but listen range 7000-7009 has 10 — give one target port, or a range of the same size",
                        "pg.yaml:15: forward \"word\": listen: \"http\" is not a port number — use 1-65535");
    }

    @Test
    void badAddressesAndCidrs() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: a
                    listen: 300.1.1.1:80
                    target: "bad host!:80"
                    allow: [10.0.0.0/33, nonsense]
                  - name: b
                    listen: "::1:80"
                    target: 10.0.0.1
                """))
                .containsExactly(
                        "pg.yaml:3: forward \"a\": listen: \"300.1.1.1\" is not an IP address — listen takes an address literal such as 0.0.0.0, 127.0.0.1 or [::]",
                        "pg.yaml:4: forward \"a\": target: \"bad host!\" is neither an IP address nor a host name",
                        "pg.yaml:5: forward \"a\": allow: \"10.0.0.0/33\" has prefix /33, more than the address's 32 bits",
                        "pg.yaml:5: forward \"a\": allow: \"nonsense\" is not a CIDR — write it like 192.168.0.0/16 or 2001:db8::/32",
                        "pg.yaml:7: forward \"b\": listen: \"::1:80\" looks like a bare IPv6 address — put it in brackets: [::1]:80",
                        "pg.yaml:8: forward \"b\": target: \"10.0.0.1\" has no host — write host:port, e.g. 192.168.1.5:80");
    }

    @Test
    void duplicateNamesAndMissingFields() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: web
                    listen: 8080
                    target: 10.0.0.1:80
                  - name: web
                    listen: 8081
                    target: 10.0.0.1:81
                  - listen: 8082
                  - name: "bad name"
                    protocol: sctp
                    listen: 8083
                    target: 10.0.0.1:80
                    max-connections: -1
                    idle-timeout: soon
                    enabled: maybe
                    proxy-protocol: v3
                """))
                .containsExactly(
                        "pg.yaml:5: forward \"web\": name \"web\" is used twice (also on line 2) — names must be unique",
                        "pg.yaml:8: forward \"#3\": forward #3 has no name — add name: <word>",
                        "pg.yaml:8: forward \"#3\": target is missing — add target: host:port, e.g. 192.168.1.5:80",
                        "pg.yaml:9: forward \"bad name\": name \"bad name\" is not valid — use letters, digits, '.', '_' and '-', at most 63, starting with a letter or digit",
                        "pg.yaml:10: forward \"bad name\": protocol: \"sctp\" is not a protocol — use tcp, udp or both",
                        "pg.yaml:13: forward \"bad name\": max-connections: \"-1\" is not a whole number of 0 or more",
                        "pg.yaml:14: forward \"bad name\": idle-timeout: \"soon\" is not a duration — write it like 30s, 10m, 2h, 1h30m or 7d",
                        "pg.yaml:15: forward \"bad name\": enabled: \"maybe\" is not true or false",
                        "pg.yaml:16: forward \"bad name\": proxy-protocol: \"v3\" is not a PROXY protocol version — use none, v1 or v2");
    }

    @Test
    void conflictsNameBothForwards() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: cam
                    listen: 0.0.0.0:8080
                    target: 10.0.0.1:80
                  - name: web
                    listen: 127.0.0.1:8080
                    target: 10.0.0.2:80
                  - name: dns
                    protocol: both
                    listen: 5300-5310
                    target: 10.0.0.3:53
                  - name: dns2
                    protocol: udp
                    listen: 5305
                    target: 10.0.0.4:53
                  - name: other-address
                    listen: 127.0.0.2:9000
                    target: 10.0.0.5:80
                  - name: other-address2
                    listen: 127.0.0.3:9000
                    target: 10.0.0.5:80
                  - name: off
                    enabled: false
                    listen: 8080
                    target: 10.0.0.6:80
                """))
                .containsExactly(
                        "pg.yaml:5: forward \"web\": listen port 8080/tcp is already used by forward \"cam\" (0.0.0.0 covers every address) — choose another port or address",
                        "pg.yaml:12: forward \"dns2\": listen port 5305/udp is already used by forward \"dns\" — choose another port or address");
    }

    @Test
    void proxyProtocolOnUdpIsRefused() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: q
                    protocol: udp
                    listen: 4000
                    target: 10.0.0.1:4000
                    proxy-protocol: v2
                """))
                .containsExactly(
                        "pg.yaml:6: forward \"q\": proxy-protocol works on tcp forwards only — remove it or use protocol: tcp");
    }

    @Test
    void wrongShapes() {
        assertThat(problems("forwards: web\n"))
                .containsExactly(
                        "pg.yaml:1: forwards must be a list (each entry starting with \"- name:\"), not a value");
        assertThat(problems("forwards:\n  - just-a-word\n"))
                .containsExactly(
                        "pg.yaml:2: forward #1 must be a mapping of keys (name:, listen:, target: …), not a value");
        assertThat(problems("forwards:\n  - name: a\n    listen: {port: 1}\n    target: x:1\n"))
                .containsExactly("pg.yaml:3: forward \"a\": listen must be a single value, not a mapping");
        assertThat(problems("- a\n- b\n"))
                .containsExactly("pg.yaml:1: the config must be a mapping with a forwards: list");
    }

    @Test
    void readsTheIgdAndUpstreamSections() throws Exception {
        GatewayConfig c = ConfigFile.parse(
                """
                forwards:
                  - { name: web, listen: 8080, target: 10.0.0.5:80 }
                igd:
                  lan: [ 127.0.0.1 ]
                  external-address: 203.0.113.7
                  http-port: 5000
                  pcp: false
                  lease: { min: 60s, max: 1d }
                  max-leases-per-device: 8
                  permissions:
                    - allow 1024-65535 192.168.1.0/24 1024-65535
                    - deny 0-65535 0.0.0.0/0 0-65535
                upstream:
                  map: [ web ]
                  method: nat-pmp
                  gateway: 192.168.0.1
                """,
                "pg.yaml");
        assertThat(c.igd().lan()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.1");
        assertThat(c.igd().pcp()).isFalse();
        assertThat(c.igd().natPmp()).isTrue();
        assertThat(c.igd().secureMode()).isTrue();
        assertThat(c.igd().clamp(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.igd().clamp(Duration.ZERO)).isEqualTo(Duration.ofDays(1));
        assertThat(c.igd().permissions()).hasSize(2);
        assertThat(c.upstream().method()).isEqualTo(UpstreamConfig.Method.NAT_PMP);
        assertThat(c.upstream().map()).containsExactly("web");
    }

    @Test
    void badIgdAndUpstreamSectionsAreEachReported() {
        assertThat(
                        problems(
                                """
                igd:
                  lan: [ 0.0.0.0, eth-nope ]
                  http-port: 70000
                  lease: { min: 2h, max: 1h }
                  permissions:
                    - allow everything
                    - permit 1-2 10.0.0.0/8 1-2
                upstream:
                  map: [ nosuch ]
                  method: carrier-pigeon
                  lifetime: 10s
                """))
                .containsExactly(
                        "pg.yaml:2: lan: 0.0.0.0 is every address, the WAN side too — name the LAN-side address or interface",
                        "pg.yaml:2: lan: \"eth-nope\" is neither an IP address nor a network interface of this machine",
                        "pg.yaml:3: http-port: port 70000 is out of range — use 1-65535",
                        "pg.yaml:4: igd: lease: min 2h is longer than max 1h",
                        "pg.yaml:6: permissions: \"allow everything\" is not a permission line — write it like allow 1024-65535 192.168.1.0/24 1024-65535 (allow|deny, external ports, device CIDR, internal ports)",
                        "pg.yaml:6: permissions: \"permit 1-2 10.0.0.0/8 1-2\" is not a permission line — write it like allow 1024-65535 192.168.1.0/24 1024-65535 (allow|deny, external ports, device CIDR, internal ports)",
                        "pg.yaml:9: upstream: map: there is no forward named \"nosuch\" in this file (or write a port like tcp/8080)",
                        "pg.yaml:10: method: \"carrier-pigeon\" is not a method — use upnp, nat-pmp, pcp or auto",
                        "pg.yaml:11: upstream: lifetime must be at least 60s (it is renewed at half-time)");
    }

    @Test
    void emptyConfigIsValid() throws Exception {
        assertThat(ConfigFile.parse("", "pg.yaml").forwards()).isEmpty();
        assertThat(ConfigFile.parse("forwards:\n", "pg.yaml").forwards()).isEmpty();
    }

    @Test
    void dynamicForwardsAreReadAndChecked() throws Exception {
        String hash = PasswordHash.hash("secret-pass".toCharArray());
        GatewayConfig c = ConfigFile.parse(
                """
                forwards:
                  - name: proxy
                    kind: dynamic
                    listen: 127.0.0.1:1080
                    protocols: [socks5, http, socks4a]
                    users: [ { name: bob, password-hash: "%s" } ]
                    permit-open: [ "0.0.0.0/0:443", "10.0.0.0/8:*", "db.lan:5432", "*.example.com:80-90", "[2001:db8::]/32:*" ]
                    deny-open: [ "169.254.0.0/16:*" ]
                """
                        .formatted(hash),
                "pg.yaml");
        DynamicForward d = (DynamicForward) c.forwards().get(0);
        assertThat(d.proxyLabel()).isEqualTo("socks5+socks4a+http");
        assertThat(d.users()).extracting(ProxyUser::name).containsExactly("bob");
        assertThat(d.permitOpen())
                .extracting(Object::toString)
                .containsExactly(
                        "0.0.0.0/0:443", "10.0.0.0/8:*", "db.lan:5432", "*.example.com:80-90", "[2001:db8::/32]:*");
        InetAddress ten = InetAddress.getByName("10.1.2.3");
        assertThat(d.permitOpen().get(1).matches(null, ten, 22)).isTrue();
        assertThat(d.permitOpen().get(0).matches(null, ten, 22)).isFalse();
        assertThat(d.permitOpen().get(3).matches("www.example.com", null, 85)).isTrue();
        assertThat(d.permitOpen().get(3).matches("example.com.evil", null, 85)).isFalse();
        assertThat(d.denyOpen().get(0).matches(null, InetAddress.getByName("169.254.169.254"), 80))
                .isTrue();
    }

    @Test
    void dynamicForwardMistakes() {
        assertThat(
                        problems(
                                """
                forwards:
                  - name: open
                    kind: dynamic
                    listen: 0.0.0.0:1080
                  - name: bad
                    kind: dynamic
                    listen: 127.0.0.1:1081-1082
                    protocols: [socks6]
                    users: [ { name: bob, password-hash: plain-text }, { name: eve } ]
                    permit-open: [ "nowhere", "10.0.0.0/8" ]
                    target: 1.2.3.4:5
                """))
                .containsExactly(
                        "pg.yaml:2: forward \"open\": permit-open is missing — list where clients may go, e.g. [\"0.0.0.0/0:443\", \"10.0.0.0/8:*\"], or [\"*:*\"] for anywhere",
                        "pg.yaml:2: forward \"open\": a proxy without users on 0.0.0.0 is open to anyone who reaches it — add users, listen on 127.0.0.1, or set open-proxy: true",
                        "pg.yaml:7: forward \"bad\": listen: a proxy listens on one port, not the range 1081-1082",
                        "pg.yaml:8: forward \"bad\": protocols: \"socks6\" is not a proxy protocol — use socks5, socks4a or http",
                        "pg.yaml:9: forward \"bad\": users: the password-hash of \"bob\" is not one portgate made — make one with: portgate hash-password",
                        "pg.yaml:9: forward \"bad\": users: user \"eve\" has no password-hash — make one with: portgate hash-password",
                        "pg.yaml:10: forward \"bad\": permit-open: \"nowhere\" has no port — write host-or-network:port, e.g. 10.0.0.0/8:* or db.lan:5432",
                        "pg.yaml:10: forward \"bad\": permit-open: \"10.0.0.0/8\" has no port — write host-or-network:port, e.g. 10.0.0.0/8:* or db.lan:5432",
                        "pg.yaml:11: forward \"bad\": unknown key \"target\" — known keys are name, kind, listen, protocols, users, permit-open, deny-open, "
                                + "open-proxy, via, allow, deny, idle-timeout, max-connections, expires, nodes, enabled, description, access, knock-key, open-for, close-when-idle, rate-limit, bandwidth, tls-certificate, tls-key, tls-client-ca, target-tls, target-ca");
    }
}
