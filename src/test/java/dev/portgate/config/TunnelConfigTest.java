package dev.portgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portgate.forward.HostName;
import dev.portgate.forward.Protocol;
import dev.portgate.forward.ProxyProtocol;
import dev.portgate.forward.RemoteForward;
import dev.portgate.tunnel.TunnelServerConfig;
import dev.portgate.tunnel.TunnelTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tunnel-server and tunnel-endpoints as a user writes them, and what via: may carry through each kind. */
class TunnelConfigTest {

    @TempDir
    Path dir;

    private static final String PIN = "sha256:" + "ab".repeat(32);

    private String endpoint(String token) throws Exception {
        Path f = dir.resolve("t");
        Files.writeString(f, token);
        return "tunnel-endpoints:\n  - { name: vps, server: vps.example.net, token-file: " + f
                + ", server-fingerprint: \"" + PIN + "\" }\n";
    }

    private static List<String> problems(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigFile.parse(yaml, "pg.yaml"));
        assertThat(e).as("the config should be refused").isNotNull();
        return e.problems().stream().map(Object::toString).toList();
    }

    @Test
    void aRemoteForwardThroughATunnelCarriesUdpRangesAndProxyHeaders() throws Exception {
        GatewayConfig c = ConfigFile.parse(
                endpoint(TunnelTokens.generate())
                        + "forwards:\n  - { name: game, kind: remote, via: vps, protocol: udp, listen: 0.0.0.0:27015-27020,"
                        + " target: 192.168.1.7:27015-27020, proxy-protocol: v2, allow: [ 10.0.0.0/8 ] }\n",
                "pg.yaml");
        RemoteForward f = (RemoteForward) c.forwards().get(0);
        assertThat(f.carried()).isEqualTo(Set.of(Protocol.UDP));
        assertThat(f.listen().ports().size()).isEqualTo(6);
        assertThat(f.proxyProtocol()).isEqualTo(ProxyProtocol.V2);
        assertThat(c.tunnelEndpoints().get(0).port()).isEqualTo(7443);
        assertThat(c.tunnelEndpoints().get(0).fingerprint()).isEqualTo("ab".repeat(32));
    }

    @Test
    void aRemoteSiteByNameTakesAHostAndNoListenAndTheServerSaysWhoMayServeWhat() throws Exception {
        GatewayConfig c = ConfigFile.parse(
                endpoint(TunnelTokens.generate())
                        + "forwards:\n  - { name: demo, kind: remote, via: vps, host: Demo.Example.NET., target: 127.0.0.1:3000 }\n",
                "pg.yaml");
        RemoteForward f = (RemoteForward) c.forwards().get(0);
        assertThat(f.host()).hasToString("demo.example.net");
        assertThat(f.listen()).isEqualTo(RemoteForward.SITE_PORT);
        assertThat(problems(endpoint(TunnelTokens.generate())
                        + "forwards:\n  - { name: demo, kind: remote, via: vps, host: demo, listen: 8080,"
                        + " protocol: udp, target: 127.0.0.1:3000-3001 }\n"))
                .anySatisfy(p -> assertThat(p).contains("has no port of its own — remove listen"))
                .anySatisfy(p -> assertThat(p).contains("carries tcp only"))
                .anySatisfy(p -> assertThat(p).contains("has one target port"));
        assertThat(
                        problems(
                                endpoint(TunnelTokens.generate())
                                        + "forwards:\n  - { name: demo, kind: remote, via: vps, host: \"*.example.net\", target: 127.0.0.1:1 }\n"))
                .anySatisfy(p -> assertThat(p).contains("host").contains("names one site"));
        Path a = dir.resolve("a");
        Files.writeString(a, TunnelTokens.hash(TunnelTokens.generate()));
        GatewayConfig server = ConfigFile.parse(
                "tunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n    - { name: a, token-file: " + a
                        + ", permit-hosts: [ \"*.tunnels.example.net\" ] }\n",
                "pg.yaml");
        TunnelServerConfig.Client client = server.tunnelServer().clients().get(0);
        assertThat(client.mayServe(HostName.parse("demo.tunnels.example.net"))).isTrue();
        assertThat(client.mayServe(HostName.parse("shop.example.net"))).isFalse();
    }

    @Test
    void throughSshUdpAndRangesAreRefusedWithTheReason() {
        assertThat(problems("ssh-endpoints:\n  - { name: box, host: h, user: u, password-env: HOME }\n"
                        + "forwards:\n  - { name: game, kind: remote, via: box, protocol: udp, listen: 0.0.0.0:27015,"
                        + " target: 127.0.0.1:27015 }\n"))
                .anySatisfy(p -> assertThat(p).contains("SSH carries TCP only").contains("\"box\" is an ssh-endpoint"));
    }

    @Test
    void anEndpointWithoutAPinOrCaIsRefusedAndAnUnknownViaIsNamed() throws Exception {
        Path f = dir.resolve("t");
        Files.writeString(f, TunnelTokens.generate());
        assertThat(problems(
                        "tunnel-endpoints:\n  - { name: vps, server: vps.example.net:7443, token-file: " + f + " }\n"))
                .anySatisfy(p -> assertThat(p).contains("an unknown server is never trusted"));
        assertThat(problems(endpoint(TunnelTokens.generate())
                        + "forwards:\n  - { name: x, kind: remote, via: nowhere, listen: 80, target: 127.0.0.1:80 }\n"))
                .anySatisfy(p -> assertThat(p).contains("no ssh-endpoint or tunnel-endpoint named \"nowhere\""));
    }

    @Test
    void localAndDynamicForwardsGoThroughATunnelAndTheServerSaysWhereToWithPermitOpen() throws Exception {
        GatewayConfig c = ConfigFile.parse(
                endpoint(TunnelTokens.generate())
                        + "forwards:\n  - { name: db, kind: local, via: vps, listen: 127.0.0.1:15432, target: db:5432 }\n"
                        + "  - { name: px, kind: dynamic, via: vps, listen: 127.0.0.1:1080, permit-open: [ \"*:*\" ] }\n",
                "pg.yaml");
        assertThat(c.forwards()).hasSize(2);
        Path a = dir.resolve("a");
        Files.writeString(a, TunnelTokens.hash(TunnelTokens.generate()));
        GatewayConfig server = ConfigFile.parse(
                "tunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n" + "    - { name: a, token-file: " + a
                        + ", permit-open: [ \"db.lan:5432\", \"10.0.0.0/8:*\" ] }\n",
                "pg.yaml");
        assertThat(server.tunnelServer().clients().get(0).permitOpen()).hasSize(2);
        assertThat(problems("tunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n" + "    - { name: a, token-file: " + a
                        + ", permit-open: [ \"db.lan\" ] }\n"))
                .anySatisfy(p -> assertThat(p).contains("permit-open"));
    }

    @Test
    void theServerKeepsHashesAndRefusesATokenGivenTwice() throws Exception {
        String token = TunnelTokens.generate();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.writeString(a, TunnelTokens.hash(token));
        Files.writeString(b, token);
        assertThat(problems("tunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n"
                        + "    - { name: a, token-file: " + a + ", permit-listen: [ \"0.0.0.0:80\" ] }\n"
                        + "    - { name: b, token-file: " + b + ", permit-listen: [ \"udp/0.0.0.0:81\" ] }\n"))
                .anySatisfy(p -> assertThat(p).contains("the same token as another"));
        GatewayConfig ok = ConfigFile.parse(
                "tunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n" + "    - { name: a, token-file: " + a
                        + ", permit-listen: [ \"udp/0.0.0.0:27015-27020\" ] }\n",
                "pg.yaml");
        assertThat(ok.tunnelServer().clients().get(0).tokenHash()).isEqualTo(TunnelTokens.hash(token));
        assertThat(ok.tunnelServer().clients().get(0).permitListen().get(0).toString())
                .isEqualTo("udp/0.0.0.0:27015-27020");
    }

    @Test
    void aClientMayBeKnownByItsCertificateInsteadOfAToken() throws Exception {
        String fp = "sha256:" + "cd".repeat(32);
        GatewayConfig server = ConfigFile.parse(
                "tunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n" + "    - { name: a, client-certificates: [ \""
                        + fp + "\" ] }\n",
                "pg.yaml");
        assertThat(server.tunnelServer().clients().get(0).certificates()).containsExactly("cd".repeat(32));
        assertThat(server.tunnelServer().clients().get(0).tokenHash()).isNull();
        assertThat(problems("tunnel-server:\n  listen: 0.0.0.0:7443\n  clients:\n" + "    - { name: a }\n"))
                .anySatisfy(p -> assertThat(p).contains("needs a token-file (or token-hash, or client-certificates)"));
        GatewayConfig client = ConfigFile.parse(
                "tunnel-endpoints:\n  - { name: vps, server: vps.example.net, client-certificate: auto,"
                        + " server-fingerprint: \"" + PIN + "\" }\n",
                "pg.yaml");
        assertThat(client.tunnelEndpoints().get(0).clientCertificate()).isEqualTo("auto");
        assertThat(client.tunnelEndpoints().get(0).token()).isEmpty();
        assertThat(problems("tunnel-endpoints:\n  - { name: vps, server: vps.example.net, client-certificate: "
                        + dir.resolve("none.p12") + ", server-fingerprint: \"" + PIN + "\" }\n"))
                .anySatisfy(p -> assertThat(p).contains("must be readable"));
    }
}
