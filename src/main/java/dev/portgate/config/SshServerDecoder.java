package dev.portgate.config;

import dev.portgate.forward.Destination;
import dev.portgate.forward.HostPattern;
import dev.portgate.forward.ListenSpec;
import dev.portgate.policy.PasswordHash;
import dev.portgate.ssh.SshServerConfig;
import dev.portgate.ssh.SshUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.yaml.snakeyaml.nodes.MappingNode;

/** Reads the {@code ssh-server:} section, reporting every problem with its line. */
final class SshServerDecoder {

    private static final Set<String> KEYS = Set.of("listen", "users");
    private static final Set<String> USER_KEYS =
            Set.of("name", "authorized-keys", "password-hash", "permit-listen", "permit-open", "permit-hosts");

    private SshServerDecoder() {}

    static Optional<SshServerConfig> decode(MappingNode node, Problems problems) {
        int before = problems.list().size();
        Fields f = new Fields(node, problems, "", KEYS, "listen, users");
        ListenSpec listen = ForwardDecoder.required(
                f, "listen", ListenSpec::parse, "ssh-server: listen: [address:]port, e.g. 0.0.0.0:2222");
        if (listen != null && listen.ports().size() != 1) {
            f.problem("listen", "ssh-server: listen: one port, not the range " + listen.ports());
        }
        List<SshUser> users = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (MappingNode m : f.mappings("users").orElse(List.of())) {
            Fields u = new Fields(
                    m,
                    problems,
                    "",
                    USER_KEYS,
                    "name, authorized-keys, password-hash, permit-listen, permit-open, permit-hosts");
            String name = u.scalar("name").orElse(null);
            if (name == null || !ForwardDecoder.NAME.matcher(name).matches()) {
                u.problem("name", "ssh-server: users: each user needs a name (letters, digits, '.', '_', '-')");
                continue;
            }
            if (!names.add(name)) {
                u.problem("name", "ssh-server: user \"" + name + "\" is listed twice");
            }
            List<PublicKey> keys = new ArrayList<>();
            for (String k : u.list("authorized-keys").orElse(List.of())) {
                u.parse("authorized-keys", k, u.at("authorized-keys"), SshServerDecoder::keys)
                        .ifPresent(keys::addAll);
            }
            String hash = u.scalar("password-hash").orElse(null);
            if (hash != null && !PasswordHash.isWellFormed(hash)) {
                u.problem(
                        "password-hash",
                        "ssh-server: the password-hash of \"" + name
                                + "\" is not one portgate made — use portgate hash-password");
            }
            if (keys.isEmpty() && hash == null) {
                u.problem(
                        "authorized-keys",
                        "ssh-server: user \"" + name
                                + "\" has no authorized-keys (and no password-hash): nobody could log in");
            }
            List<ListenSpec> permitListen = new ArrayList<>();
            for (String l : u.list("permit-listen").orElse(List.of())) {
                u.parse("permit-listen", l, u.at("permit-listen"), ListenSpec::parse)
                        .ifPresent(permitListen::add);
            }
            List<Destination> permitOpen = new ArrayList<>();
            for (String d : u.list("permit-open").orElse(List.of())) {
                u.parse("permit-open", d, u.at("permit-open"), Destination::parse)
                        .ifPresent(permitOpen::add);
            }
            List<HostPattern> permitHosts = new ArrayList<>();
            for (String h : u.list("permit-hosts").orElse(List.of())) {
                u.parse("permit-hosts", h, u.at("permit-hosts"), HttpDecoder::host)
                        .ifPresent(permitHosts::add);
            }
            users.add(new SshUser(name, keys, hash, permitListen, permitOpen, permitHosts));
        }
        if (problems.list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new SshServerConfig(listen, users));
    }

    /** One "ssh-ed25519 AAAA… comment" line, or the path of an authorized_keys file. */
    static List<PublicKey> keys(String text) {
        String s = text.strip();
        try {
            if (s.startsWith("/") || s.startsWith("~") || s.startsWith("./")) {
                Path p = Path.of(s.startsWith("~") ? System.getProperty("user.home") + s.substring(1) : s);
                if (!Files.isReadable(p)) {
                    throw new IllegalArgumentException("cannot read the file " + p);
                }
                List<PublicKey> out = new ArrayList<>();
                for (AuthorizedKeyEntry e : AuthorizedKeyEntry.readAuthorizedKeys(p)) {
                    out.add(e.resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
                }
                return out;
            }
            return List.of(AuthorizedKeyEntry.parseAuthorizedKeyEntry(s)
                    .resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae
                    && iae.getMessage() != null
                    && iae.getMessage().startsWith("cannot read")) {
                throw iae;
            }
            throw new IllegalArgumentException(
                    "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s)
                            + "\" is not a public key line (like \"ssh-ed25519 AAAA… comment\") nor a readable authorized_keys file");
        }
    }
}
