package dev.portgate.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portgate.forward.Addresses;
import dev.portgate.forward.Cidr;
import dev.portgate.forward.DataPlane;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.net.ActiveForward;
import dev.portgate.net.AttachedNetworks;
import dev.portgate.policy.Bans;
import dev.portgate.policy.Doors;
import dev.portgate.policy.Firewall;
import dev.portgate.policy.Policy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel data plane: port forwards written into portgate's own nftables table, so their packets
 * never enter the JVM and the target sees the client's address. Decides which forwards go there
 * ({@link #place}), applies the Reconciler's changes as one nftables transaction per batch, keeps
 * doors, bans and the global firewall in the kernel in step, and reads counters and conntrack back.
 *
 * <p>Forward changes arrive on the Reconciler's thread only; doors arrive from whoever opens them;
 * bans, the firewall, counters and conntrack are read on the plane's own timer.
 */
public final class KernelPlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KernelPlane.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ELEMENT_NAME =
            Pattern.compile("0x([0-9a-f]{8}) counter packets \\d+ bytes \\d+ comment \"([^\"]*)\"");
    private static final Pattern TABLE_COMMENT = Pattern.compile("^\\s*comment \"([^\"]*)\"", Pattern.MULTILINE);

    private final KernelSettings settings;
    private final String owner;
    private final Policy policy;
    private final Clock clock;
    private final Nft nft;
    /** A second context for reading counters and listings, so a long read never holds up a change. */
    private final Nft reader;

    private final String unavailable;
    private final KernelTable table;
    private final Conntrack conntrack;
    private final Map<String, Integer> previousIds = new HashMap<>();
    private final BitSet used = new BitSet();
    private final Map<String, Installed> installed = new ConcurrentHashMap<>();
    private final Map<String, Integer> masqRefs = new HashMap<>();
    private final Map<String, String> pending = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile boolean written;
    /** Why the first write of the table failed; every kernel forward then fails with it, visibly. */
    private String tableError;

    private volatile BiConsumer<String, String> failures = (name, error) -> {};
    private List<Cidr> attached = List.of();
    private Firewall firewallWritten;
    private final Map<InetAddress, Instant> bansWritten = new HashMap<>();
    private long ticks;
    private int nextId = 1;
    private long countersDue;
    private long flowsDue;
    private final WriteTimes writes = new WriteTimes();
    private volatile List<String> others = List.of();

    /** A forward in the kernel: its slot, its running counters, what it last read. */
    private static final class Installed {
        volatile KernelTable.Slot slot;
        final ActiveForward active;
        List<String> masq;
        final long[] seen = new long[6];
        int unrepliedScans;

        Installed(KernelTable.Slot slot, ActiveForward active, List<String> masq) {
            this.slot = slot;
            this.active = active;
            this.masq = masq;
        }
    }

    /**
     * Opens the kernel plane as {@code settings} ask. Under {@code enabled: true} a plane that cannot work
     * is an error (the gateway refuses to start); under auto it is off, with the reason kept for display.
     */
    public static KernelPlane open(KernelSettings settings, String dataFolder, Policy policy, Clock clock)
            throws IOException {
        KernelSettings.Enabled enabled = settings.enabledOr(System.getenv("PORTGATE_KERNEL"));
        if (enabled == KernelSettings.Enabled.FALSE) {
            return new KernelPlane(settings, dataFolder, policy, clock, null, "turned off (kernel: enabled: false)");
        }
        Nft nft = null;
        String why;
        try {
            nft = Nft.open();
            why = probe(nft, settings.table(), "portgate " + dataFolder);
        } catch (NftException e) {
            why = reasonOf(e.getMessage());
        }
        if (why != null) {
            if (nft != null) {
                nft.close();
            }
            if (enabled == KernelSettings.Enabled.TRUE) {
                throw new IOException("kernel: enabled: true, but the kernel data plane cannot be used: " + why);
            }
            log.info("kernel data plane unavailable — {}; every forward runs on the relay", why);
            return new KernelPlane(settings, dataFolder, policy, clock, null, why);
        }
        return new KernelPlane(settings, dataFolder, policy, clock, nft, null);
    }

    /** Null if portgate may write its table here, else why not. */
    private static String probe(Nft nft, String table, String owner) throws NftException {
        nft.run("list tables");
        String listing;
        try {
            listing = nft.run("list table inet " + table);
        } catch (NftException absent) {
            return null;
        }
        Matcher m = TABLE_COMMENT.matcher(listing);
        String comment = m.find() ? m.group(1) : "";
        if (comment.equals(owner)) {
            return null;
        }
        if (comment.startsWith("portgate ")) {
            return "table inet " + table + " belongs to another portgate (" + comment.substring(9)
                    + ") — give this one another kernel: table:";
        }
        return "table inet " + table + " exists and is not portgate's — give portgate another kernel: table:";
    }

    private static String reasonOf(String nftMessage) {
        if (nftMessage.contains("Operation not permitted")) {
            return "not permitted to change nftables (run as root or with CAP_NET_ADMIN)";
        }
        return nftMessage;
    }

    private KernelPlane(
            KernelSettings settings, String dataFolder, Policy policy, Clock clock, Nft nft, String unavailable) {
        this.settings = settings;
        this.owner = "portgate " + dataFolder;
        this.policy = policy;
        this.clock = clock;
        this.nft = nft;
        this.unavailable = unavailable;
        this.table = new KernelTable(settings.table());
        this.conntrack = nft == null ? null : Conntrack.find();
        this.reader = nft == null ? null : openReader(nft);
        if (nft != null) {
            readPreviousIds();
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kernel");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
            if (conntrack == null) {
                log.warn("kernel data plane: the conntrack tool is missing (apt-get install conntrack) — kernel "
                        + "flows are not listed, counted as live, or ended when their forward goes");
            }
        } else {
            timer = null;
        }
    }

    private static Nft openReader(Nft fallback) {
        try {
            return Nft.open();
        } catch (NftException e) {
            return fallback;
        }
    }

    /** Keeps each forward's id (and so its connections' marks) from the table a previous run left. */
    private void readPreviousIds() {
        try {
            String listing = nft.run("list set inet " + table.name() + " conns");
            Matcher m = ELEMENT_NAME.matcher(listing);
            while (m.find()) {
                previousIds.put(m.group(2), (int) (Long.parseLong(m.group(1), 16) >>> 16));
            }
            if (!previousIds.isEmpty()) {
                log.info(
                        "kernel data plane: taking over table inet {} with {} forward(s) a previous run left",
                        table.name(),
                        previousIds.size());
            }
        } catch (NftException absent) {
            // no table yet
        }
    }

    public boolean available() {
        return unavailable == null;
    }

    /** Why the kernel data plane is off, or null when it is on. */
    public String unavailableReason() {
        return unavailable;
    }

    public KernelSettings settings() {
        return settings;
    }

    /** Who hears of a kernel forward that could not be written after the fact (name, nft's error). */
    public void onFailure(BiConsumer<String, String> listener) {
        failures = listener;
    }

    /** Which plane carries {@code f}, and why not the kernel. */
    public Placement place(Forward f) {
        if (!(f instanceof PortForward pf)) {
            return Placement.RELAY;
        }
        if (pf.dataPlane() == DataPlane.RELAY) {
            return Placement.relay("data-plane: relay");
        }
        List<KernelFit.Obstacle> obstacles = KernelFit.obstacles(pf);
        if (!obstacles.isEmpty()) {
            return Placement.relay(obstacles.get(0).reason());
        }
        if (unavailable != null) {
            String why = "kernel data plane unavailable — " + unavailable;
            return pf.dataPlane() == DataPlane.KERNEL ? new Placement(Placement.Plane.NONE, why) : Placement.relay(why);
        }
        return Placement.KERNEL;
    }

    /** Whether a kernel forward on {@code f}'s wildcard address also gets a relay listener on loopback. */
    public static boolean wantsLoopback(PortForward f) {
        Origin.Kind k = f.origin().kind();
        return f.listen().isWildcard()
                && k != Origin.Kind.UPNP
                && k != Origin.Kind.NATPMP
                && k != Origin.Kind.PCP
                && k != Origin.Kind.TRIGGER;
    }

    // ---- forward changes (Reconciler thread) ----

    /** Adds a kernel forward; returns nft's error, or null once it is in the kernel (or queued for the first write). */
    public String install(ActiveForward active) {
        if (installed.containsKey(active.name())) {
            // Still in the kernel from before (a change that failed half-way is retried): change it in place.
            return replace(active);
        }
        PortForward f = (PortForward) active.forward();
        int id = allocate(f.name());
        if (id < 0) {
            return "no free kernel forward id (at most " + KernelTable.MAX_ID + " kernel forwards)";
        }
        KernelTable.Slot slot = new KernelTable.Slot(id, f, masquerade(f));
        List<String> masq = table.masqueraded(slot);
        String script = table.install(slot) + table.setElements("add", addMasq(masq)) + openDoors(slot);
        String error = write(f.name(), script);
        if (error != null) {
            used.clear(id);
            releaseMasq(masq);
            return error;
        }
        installed.put(f.name(), new Installed(slot, active, masq));
        return null;
    }

    /** Changes a kernel forward in place (same id and counters); its flows end when its mapping moved. */
    public String replace(ActiveForward active) {
        Installed i = installed.get(active.name());
        if (i == null) {
            return install(active);
        }

        PortForward f = (PortForward) active.forward();
        KernelTable.Slot before = i.slot;
        KernelTable.Slot after = new KernelTable.Slot(before.id(), f, masquerade(f));
        List<String> masq = table.masqueraded(after);
        List<String> added = addMasq(masq);
        List<String> dropped = releaseMasq(i.masq);
        String script = table.replace(before, after)
                + table.setElements("delete", dropped)
                + table.setElements("add", added)
                + openDoors(after);
        String error = write(f.name(), script);
        if (error != null) {
            releaseMasq(masq);
            addMasq(i.masq);
            return error;
        }
        i.slot = after;
        i.masq = masq;
        if (!before.forward().listen().equals(f.listen())
                || !before.forward().target().equals(f.target())) {
            endFlows(before.id(), null);
        }
        return null;
    }

    /** Removes a kernel forward and ends its flows: closing a forward closes its connections, as on the relay. */
    public void uninstall(String name) {
        Installed i = installed.remove(name);
        if (i == null) {
            return;
        }
        StringBuilder doors = new StringBuilder();
        for (Doors.Open d : policy.doors().list()) {
            if (d.forward().equals(name)
                    && i.slot.forward().limits().protection().access().gated()) {
                doors.append(table.closeDoor(i.slot, Addresses.unmap(d.source())));
            }
        }
        String script = table.uninstall(i.slot) + doors + table.setElements("delete", releaseMasq(i.masq));
        String error = write(name, script);
        if (error != null) {
            log.warn("forward \"{}\": removing it from the kernel failed: {}", name, error);
        }
        used.clear(i.slot.id());
        endFlows(i.slot.id(), null);
        i.active.stats().kernelActive(0);
    }

    /**
     * The first write: the table rebuilt from scratch with every kernel forward, in one transaction, so
     * whatever a crash left is replaced at once. Until then changes are queued. Reconciler thread.
     */
    public void release() {
        if (nft == null || written) {
            return;
        }
        attached = AttachedNetworks.read();
        String base = table.rebuild(frame()) + table.common(policy.firewall());
        StringBuilder all = new StringBuilder(base);
        pending.values().forEach(all::append);
        try {
            nft.run(all.toString());
        } catch (NftException whole) {
            log.warn(
                    "kernel data plane: writing the table in one go failed ({}); writing forward by forward",
                    whole.getMessage());
            try {
                nft.run(base);
            } catch (NftException e) {
                log.error("kernel data plane: cannot write table inet {}: {}", table.name(), e.getMessage());
                tableError = "table inet " + table.name() + " could not be written: " + e.getMessage();
                pending.keySet().forEach(name -> fail(name, e.getMessage()));
                pending.clear();
                return;
            }
            for (Map.Entry<String, String> e : pending.entrySet()) {
                try {
                    nft.run(e.getValue());
                } catch (NftException one) {
                    fail(e.getKey(), one.getMessage());
                }
            }
        }
        firewallWritten = policy.firewall();
        pending.clear();
        written = true;
        checkOtherTables();
        log.info("kernel data plane on: table inet {} holds {} forward(s)", table.name(), installed.size());
    }

    private void fail(String name, String error) {
        Installed i = installed.remove(name);
        if (i != null) {
            used.clear(i.slot.id());
            releaseMasq(i.masq);
        }
        failures.accept(name, error);
    }

    private String write(String name, String script) {
        if (tableError != null) {
            return tableError;
        }
        if (!written) {
            pending.merge(name, script, String::concat);
            return null;
        }
        long start = System.nanoTime();
        try {
            nft.run(script);
            return null;
        } catch (NftException e) {
            return e.getMessage();
        } finally {
            writes.record(System.nanoTime() - start);
        }
    }

    /** How long forward changes took in the kernel: one nftables transaction each. */
    public WriteTimes writes() {
        return writes;
    }

    /**
     * An id for a forward: the one it had in the table a previous run left, else the next free one after the
     * last given. Ids go round rather than being reused at once, so a freed id's late conntrack deletion or
     * leftover door cannot meet a new forward.
     */
    private int allocate(String name) {
        Integer previous = previousIds.remove(name);
        if (previous != null && previous > 0 && previous <= KernelTable.MAX_ID && !used.get(previous)) {
            used.set(previous);
            return previous;
        }
        for (int round = 0; round < 2; round++) {
            int id = used.nextClearBit(Math.max(1, nextId));
            while (id <= KernelTable.MAX_ID && previousIds.containsValue(id)) {
                id = used.nextClearBit(id + 1);
            }
            if (id <= KernelTable.MAX_ID) {
                used.set(id);
                nextId = id + 1;
                return id;
            }
            nextId = 1;
        }
        return -1;
    }

    private boolean masquerade(PortForward f) {
        return switch (settings.masquerade()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> {
                if (attached.isEmpty()) {
                    attached = AttachedNetworks.read();
                }
                yield !AttachedNetworks.contains(
                        attached, Addresses.literal(f.target().host()));
            }
        };
    }

    /** Counts references; returns the items that became referenced (to add). */
    private List<String> addMasq(List<String> items) {
        List<String> fresh = new ArrayList<>();
        for (String m : items) {
            if (masqRefs.merge(m, 1, Integer::sum) == 1) {
                fresh.add(m);
            }
        }
        return fresh;
    }

    /** Drops references; returns the items no forward refers to any more (to delete). */
    private List<String> releaseMasq(List<String> items) {
        List<String> gone = new ArrayList<>();
        for (String m : items) {
            Integer left = masqRefs.computeIfPresent(m, (k, n) -> n <= 1 ? null : n - 1);
            if (left == null) {
                gone.add(m);
            }
        }
        return gone;
    }

    private String openDoors(KernelTable.Slot slot) {
        if (!slot.forward().limits().protection().access().gated()) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        Instant now = clock.instant();
        for (Doors.Open d : policy.doors().list()) {
            if (d.forward().equals(slot.forward().name())) {
                s.append(table.openDoor(slot, Addresses.unmap(d.source()), Duration.between(now, d.until())));
            }
        }
        return s.toString();
    }

    private KernelTable.Frame frame() {
        return new KernelTable.Frame(
                table.name(),
                owner,
                settings.reflection(),
                settings.wan(),
                attached,
                AttachedNetworks.addressesOf(settings.wan()));
    }

    // ---- doors (any thread) ----

    /** A knock or a login opened {@code open}'s door: open it in the kernel too, with the same timeout. */
    public void doorOpened(Doors.Open open) {
        Installed i = installed.get(open.forward());
        if (i == null || !written) {
            return;
        }
        try {
            nft.run(table.openDoor(
                    i.slot, Addresses.unmap(open.source()), Duration.between(clock.instant(), open.until())));
        } catch (NftException e) {
            log.warn("forward \"{}\": opening the door in the kernel failed: {}", open.forward(), e.getMessage());
        }
    }

    /** A door closed by hand: closed in the kernel, and the flows it let in end. */
    public void doorClosed(String forward, InetAddress source) {
        Installed i = installed.get(forward);
        if (i == null || !written) {
            return;
        }
        try {
            nft.run(table.closeDoor(i.slot, Addresses.unmap(source)));
        } catch (NftException e) {
            log.warn("forward \"{}\": closing the door in the kernel failed: {}", forward, e.getMessage());
        }
        endFlows(i.slot.id(), Addresses.unmap(source));
    }

    /** Ends a forward's flows on the plane's own thread: a change does not wait for the conntrack tool. */
    private void endFlows(int id, InetAddress source) {
        if (conntrack != null) {
            timer.execute(() -> conntrack.delete(id, source));
        }
    }

    // ---- the timer: bans, firewall, counters, conntrack ----

    private void tick() {
        if (!written) {
            return;
        }
        try {
            syncFirewallAndBans();
            ticks++;
            long now = System.nanoTime();
            if (now >= countersDue) {
                readCounters();
                countersDue = paced(now, 2);
            }
            now = System.nanoTime();
            if (now >= flowsDue) {
                scanFlows();
                flowsDue = paced(now, 5);
            }
            if (ticks % 60 == 0) {
                checkOtherTables();
            }
        } catch (RuntimeException e) {
            log.warn("kernel data plane: {}", e.toString());
        }
    }

    /**
     * When a reading that started at {@code start} may run again: after {@code seconds}, or later when it took
     * long (thousands of forwards), so that reading never takes more than a twentieth of a core.
     */
    private static long paced(long start, int seconds) {
        long took = System.nanoTime() - start;
        return start + Math.max(TimeUnit.SECONDS.toNanos(seconds), 20 * took);
    }

    private void syncFirewallAndBans() {
        StringBuilder s = new StringBuilder();
        Firewall fw = policy.firewall();
        if (!fw.equals(firewallWritten)) {
            s.append(table.common(fw));
        }
        Bans bans = policy.bans();
        Instant now = clock.instant();
        Map<InetAddress, Instant> current = new HashMap<>();
        for (Bans.Ban b : bans.list()) {
            InetAddress a = Addresses.unmap(b.source());
            current.put(a, b.until());
            if (!b.until().equals(bansWritten.get(a))) {
                s.append(table.ban(a, Duration.between(now, b.until())));
            }
        }
        for (InetAddress a : bansWritten.keySet()) {
            if (!current.containsKey(a)) {
                s.append(table.unban(a));
            }
        }
        if (s.length() == 0) {
            return;
        }
        try {
            nft.run(s.toString());
            firewallWritten = fw;
            bansWritten.clear();
            bansWritten.putAll(current);
        } catch (NftException e) {
            log.warn("kernel data plane: writing bans and firewall failed: {}", e.getMessage());
        }
    }

    private void readCounters() {
        if (installed.isEmpty()) {
            return;
        }
        // Per forward id: connections, refused, bytes in, bytes out, packets in, packets out.
        Map<Integer, long[]> counters = new HashMap<>();
        try {
            for (int k = 0; k < KernelTable.COUNTERS.size(); k++) {
                String set = KernelTable.COUNTERS.get(k);
                JsonNode root = JSON.readTree(reader.json("list set inet " + table.name() + " " + set));
                for (JsonNode item : root.path("nftables")) {
                    for (JsonNode e : item.path("set").path("elem")) {
                        JsonNode el = e.path("elem");
                        int id = (int) (el.path("val").asLong() >>> 16);
                        long[] c = counters.computeIfAbsent(id, x -> new long[6]);
                        JsonNode counter = el.path("counter");
                        switch (k) {
                            case 0 -> c[0] = counter.path("packets").asLong();
                            case 1 -> c[1] = counter.path("packets").asLong();
                            case 2 -> {
                                c[2] = counter.path("bytes").asLong();
                                c[4] = counter.path("packets").asLong();
                            }
                            default -> {
                                c[3] = counter.path("bytes").asLong();
                                c[5] = counter.path("packets").asLong();
                            }
                        }
                    }
                }
            }
        } catch (NftException | IOException e) {
            log.debug("reading kernel counters: {}", e.toString());
            return;
        }
        for (Installed i : installed.values()) {
            long[] now = counters.getOrDefault(i.slot.id(), new long[6]);
            long[] delta = new long[6];
            for (int k = 0; k < 6; k++) {
                // A counter made anew (table rebuilt) starts from zero again.
                delta[k] = now[k] >= i.seen[k] ? now[k] - i.seen[k] : now[k];
                i.seen[k] = now[k];
            }
            i.active.stats().addKernel(delta[2], delta[3], delta[4], delta[5], delta[0], delta[1]);
        }
    }

    private void scanFlows() {
        if (conntrack == null || installed.isEmpty()) {
            return;
        }
        List<Conntrack.Flow> flows = conntrack.list();
        Map<Integer, long[]> byId = new HashMap<>(); // live, unanswered tcp, answered
        for (Conntrack.Flow f : flows) {
            long[] n = byId.computeIfAbsent(f.id(), k -> new long[3]);
            n[0]++;
            if (f.protocol().equals("tcp") && f.unreplied()) {
                n[1]++;
            } else if (!f.unreplied()) {
                n[2]++;
            }
        }
        for (Installed i : installed.values()) {
            long[] n = byId.getOrDefault(i.slot.id(), new long[3]);
            i.active.stats().kernelActive(n[0]);
            boolean suspicious = n[1] > 0 && n[2] == 0;
            i.unrepliedScans = suspicious ? i.unrepliedScans + 1 : 0;
            String warning = null;
            if (i.unrepliedScans >= 2) {
                warning = i.slot.masquerade()
                        ? n[1] + " connection(s) got no answer from the target — is it up, and does it accept "
                                + "connections from the gateway?"
                        : "replies do not come back through the gateway (" + n[1]
                                + " connection(s) unanswered) — set masquerade: always";
            }
            if (warning != null && !warning.equals(i.active.warning())) {
                log.warn("forward \"{}\": {}", i.active.name(), warning);
            }
            i.active.warning(warning);
        }
    }

    /**
     * Other tables' base chains that drop what they do not accept on the paths a forward's packets take:
     * reported (log, {@code kernel show}), never changed — they are someone else's.
     */
    private void checkOtherTables() {
        List<String> found = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(reader.json("list chains"));
            for (JsonNode item : root.path("nftables")) {
                JsonNode c = item.get("chain");
                if (c == null || !c.has("hook")) {
                    continue;
                }
                String family = c.path("family").asText();
                String tableName = c.path("table").asText();
                String hook = c.path("hook").asText();
                boolean ours = family.equals("inet") && tableName.equals(table.name());
                if (!ours
                        && c.path("policy").asText().equals("drop")
                        && (hook.equals("forward") || hook.equals("prerouting"))) {
                    found.add("table " + family + " " + tableName + ", chain "
                            + c.path("name").asText() + " (hook "
                            + hook + ", policy drop) drops forwarded connections it does not accept — accept "
                            + "portgate's there (ct status dnat accept)");
                }
            }
        } catch (NftException | IOException e) {
            return;
        }
        if (!found.equals(others)) {
            found.forEach(o -> log.warn("kernel data plane: {}", o));
        }
        others = List.copyOf(found);
    }

    /** What {@link #checkOtherTables} last found. */
    public List<String> otherTables() {
        return others;
    }

    // ---- reading ----

    /** The kernel-forwarded flows, from conntrack (at most a few seconds old). */
    public List<KernelFlow> flows() {
        if (conntrack == null) {
            return List.of();
        }
        Map<Integer, String> names = new HashMap<>();
        installed.forEach((name, i) -> names.put(i.slot.id(), name));
        List<KernelFlow> out = new ArrayList<>();
        for (Conntrack.Flow f : conntrack.list()) {
            String name = names.get(f.id());
            if (name != null) {
                out.add(new KernelFlow(
                        name,
                        f.protocol(),
                        f.state(),
                        f.client().getHostAddress(),
                        f.clientPort(),
                        f.listen().getHostAddress() + ":" + f.listenPort(),
                        f.target().getHostAddress() + ":" + f.targetPort(),
                        f.unreplied()));
            }
        }
        return out;
    }

    /** The table as nft lists it, with its counters; or why there is none. */
    public String show() {
        StringBuilder s = new StringBuilder();
        if (nft == null) {
            s.append("kernel data plane: off — ").append(unavailable).append('\n');
            return s.toString();
        }
        s.append("kernel data plane: on — table inet ")
                .append(table.name())
                .append(", ")
                .append(installed.size())
                .append(" forward(s), masquerade ")
                .append(settings.masquerade().label())
                .append(", reflection ")
                .append(settings.reflection() ? "on" : "off")
                .append(settings.wan().isEmpty() ? "" : ", wan " + String.join(" ", settings.wan()))
                .append(settings.keepOnStop() ? ", kept on stop" : "")
                .append('\n');
        others.forEach(o -> s.append("note: ").append(o).append('\n'));
        try {
            s.append(reader.run("list table inet " + table.name()));
        } catch (NftException e) {
            s.append("(cannot list the table: ").append(e.getMessage()).append(")\n");
        }
        return s.toString();
    }

    /** The forward's id in the kernel, or -1. */
    public int idOf(String name) {
        Installed i = installed.get(name);
        return i == null ? -1 : i.slot.id();
    }

    /**
     * On a clean stop: the table goes and the flows it made end (nothing stays open when portgate is
     * stopped), unless {@code keep-on-stop}; after SIGKILL nothing runs and the rules stay.
     */
    public void stop() {
        if (nft == null || !written) {
            return;
        }
        if (settings.keepOnStop()) {
            log.info("kernel data plane: table inet {} kept (keep-on-stop): its forwards go on", table.name());
            return;
        }
        try {
            nft.run("delete table inet " + table.name());
        } catch (NftException e) {
            log.warn("kernel data plane: removing table inet {} failed: {}", table.name(), e.getMessage());
        }
        if (conntrack != null) {
            for (Installed i : installed.values()) {
                conntrack.delete(i.slot.id(), null);
            }
        }
        log.info("kernel data plane: table inet {} removed", table.name());
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (nft != null) {
            nft.close();
        }
        if (reader != null && reader != nft) {
            reader.close();
        }
    }
}
