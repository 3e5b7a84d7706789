package dev.portgate.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portgate.config.ConfigFile;
import dev.portgate.config.ForwardJson;
import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.PortForward;
import dev.portgate.forward.Problem;
import dev.portgate.forward.ProxyProtocol;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleServiceTest {

    private static final Actor ACTOR = new Actor("test", "");

    private static List<Forward> parse(String yaml) throws Exception {
        return ConfigFile.parse(yaml, "t.yaml").forwards();
    }

    @Test
    void publishesOnlyRealChangesAndDescribesThem() throws Exception {
        RuleService rules = new RuleService(new MemoryRuleStore());
        List<List<Change>> published = new ArrayList<>();
        rules.subscribe(published::add);
        ChangeResult first = rules.replaceAll(
                Origin.Kind.CONFIG,
                parse(
                        "forwards:\n - {name: a, listen: 1000, target: 'h:1'}\n - {name: b, listen: 1001, target: 'h:2'}\n"),
                ACTOR);
        assertThat(((ChangeResult.Applied) first).changes())
                .extracting(Change::name)
                .containsExactly("a", "b");
        ChangeResult same = rules.replaceAll(
                Origin.Kind.CONFIG,
                parse(
                        "forwards:\n - {name: a, listen: 1000, target: 'h:1'}\n - {name: b, listen: 1001, target: 'h:2'}\n"),
                ACTOR);
        assertThat(((ChangeResult.Applied) same).changes()).isEmpty();
        ChangeResult edit = rules.replaceAll(
                Origin.Kind.CONFIG, parse("forwards:\n - {name: a, listen: 1000, target: 'h:9'}\n"), ACTOR);
        List<Change> changes = ((ChangeResult.Applied) edit).changes();
        assertThat(changes).hasSize(2);
        assertThat(changes.get(0)).isInstanceOf(Change.Updated.class);
        assertThat(changes.get(1)).isInstanceOf(Change.Removed.class);
        assertThat(RuleService.describe(changes.get(0)))
                .isEqualTo("forward \"a\" changed: tcp 0.0.0.0:1000 -> h:1  =>  tcp 0.0.0.0:1000 -> h:9");
        // the initial (empty) state, then two applied changes, each published as itself; the no-op is not published
        assertThat(published).hasSize(3);
        assertThat(published.get(0)).isEmpty();
        assertThat(published.get(2)).extracting(Change::name).containsExactly("a", "b");
        assertThat(published.get(2).get(1)).isInstanceOf(Change.Removed.class);
    }

    @Test
    void aRejectedChangeLeavesEverythingAsItWas() throws Exception {
        RuleService rules = new RuleService(new MemoryRuleStore());
        rules.replaceAll(Origin.Kind.CONFIG, parse("forwards:\n - {name: a, listen: 1000, target: 'h:1'}\n"), ACTOR);
        List<Forward> api = parse("forwards:\n - {name: x, listen: 2000, target: 'h:1'}\n").stream()
                .map(f -> (Forward) new PortForward(
                        f.name(),
                        true,
                        "",
                        new Origin(Origin.Kind.API, "admin"),
                        f.protocols(),
                        f.listen(),
                        ((PortForward) f).target(),
                        f.limits(),
                        ProxyProtocol.NONE))
                .toList();
        assertThat(rules.replaceAll(Origin.Kind.API, api, ACTOR)).isInstanceOf(ChangeResult.Applied.class);

        ChangeResult clash = rules.replaceAll(
                Origin.Kind.CONFIG,
                parse(
                        "forwards:\n - {name: a, listen: 1000, target: 'h:1'}\n - {name: x, listen: 3000, target: 'h:1'}\n - {name: c, listen: 2000, target: 'h:1'}\n"),
                ACTOR);
        assertThat(clash).isInstanceOf(ChangeResult.Rejected.class);
        assertThat(((ChangeResult.Rejected) clash).problems())
                .extracting(Problem::toString)
                .containsExactly(
                        "forward \"x\": name \"x\" is already used by a forward from api admin — rename one of them",
                        "forward \"c\": listen port 2000/tcp is already used by forward \"x\" — choose another port or address");
        assertThat(rules.forwards()).extracting(Forward::name).containsExactly("a", "x");
    }

    /** Config forwards of two nodes' files on one shared store, as each node's Gateway hands them in. */
    private static List<Forward> fileOf(String node, String yaml) throws Exception {
        Origin origin = Origin.config(node + ":/etc/portgate/portgate.yaml");
        return parse(yaml).stream().map(f -> ForwardJson.withOrigin(f, origin)).toList();
    }

    @Test
    void eachNodesFileReplacesOnlyItsOwnForwardsAndTwoFilesMayDeclareOneAlike() throws Exception {
        RuleService rules = new RuleService(new MemoryRuleStore());
        String one = "edge-1:/etc/portgate/portgate.yaml";
        String two = "edge-2:/etc/portgate/portgate.yaml";
        assertThat(rules.replaceAll(
                        Origin.Kind.CONFIG,
                        one,
                        fileOf("edge-1", "forwards:\n - {name: web, listen: 8080, target: 'h:80'}\n"),
                        ACTOR))
                .isInstanceOf(ChangeResult.Applied.class);
        // edge-2's file declares web alike, and a forward of its own: web stays edge-1's, cam is edge-2's.
        assertThat(rules.replaceAll(
                        Origin.Kind.CONFIG,
                        two,
                        fileOf(
                                "edge-2",
                                "forwards:\n - {name: web, listen: 8080, target: 'h:80'}\n"
                                        + " - {name: cam, listen: 554, target: 'h:554'}\n"),
                        ACTOR))
                .isInstanceOf(ChangeResult.Applied.class);
        assertThat(rules.forwards())
                .extracting(f -> f.name() + " " + f.origin().owner())
                .containsExactly("web " + one, "cam " + two);
        // A file that declares web differently is refused, naming the other file.
        ChangeResult differ = rules.replaceAll(
                Origin.Kind.CONFIG,
                two,
                fileOf("edge-2", "forwards:\n - {name: web, listen: 8080, target: 'h:81'}\n"),
                ACTOR);
        assertThat(((ChangeResult.Rejected) differ).problems().get(0).toString())
                .isEqualTo("forward \"web\": name \"web\" is already used by a forward from config " + one
                        + ", declared differently — rename one of them");
        // edge-2's file emptied: only its own forward goes.
        rules.replaceAll(Origin.Kind.CONFIG, two, List.of(), ACTOR);
        assertThat(rules.forwards()).extracting(Forward::name).containsExactly("web");
    }

    @Test
    void whenTheFileThatOwnsAForwardLetsGoOfItAnotherFileThatDeclaresItAlikeTakesItOn() throws Exception {
        RuleService rules = new RuleService(new MemoryRuleStore());
        List<Runnable> queued = new ArrayList<>();
        FileClaims claims = new FileClaims(rules, queued::add);
        rules.subscribe(claims);
        String one = "edge-1:/etc/portgate/portgate.yaml";
        String two = "edge-2:/etc/portgate/portgate.yaml";
        rules.replaceAll(
                Origin.Kind.CONFIG,
                one,
                fileOf("edge-1", "forwards:\n - {name: web, listen: 8080, target: 'h:80'}\n"),
                ACTOR);
        List<Forward> second = fileOf(
                "edge-2",
                "forwards:\n - {name: web, listen: 8080, target: 'h:80'}\n - {name: cam, listen: 554, target: 'h:554'}\n");
        rules.replaceAll(Origin.Kind.CONFIG, two, second, ACTOR);
        claims.declared(two, second);
        assertThat(claims.alike(rules.get("web").orElseThrow()))
                .map(f -> f.origin().owner())
                .hasValue(two);

        // edge-1's file drops web: edge-2's file takes it on, not waiting for its own next reload.
        rules.replaceAll(Origin.Kind.CONFIG, one, List.of(), ACTOR);
        assertThat(rules.get("web")).isEmpty();
        assertThat(queued).hasSize(1);
        queued.remove(0).run();
        assertThat(rules.forwards())
                .extracting(f -> f.name() + " " + f.origin().owner())
                .containsExactlyInAnyOrder("web " + two, "cam " + two);
        // Its own file's changes are not another file letting go.
        rules.replaceAll(Origin.Kind.CONFIG, two, List.of(), ACTOR);
        assertThat(queued).isEmpty();
    }

    @Test
    void aPlannedChangeWhoseForwardChangedMeanwhileIsLeftOut() throws Exception {
        RuleService rules = new RuleService(new MemoryRuleStore());
        String one = "edge-1:/etc/portgate/portgate.yaml";
        rules.replaceAll(
                Origin.Kind.CONFIG,
                one,
                fileOf(
                        "edge-1",
                        "forwards:\n - {name: a, listen: 1000, target: 'h:1'}\n - {name: b, listen: 1001, target: 'h:2'}\n"),
                ACTOR);
        Forward a = rules.get("a").orElseThrow();
        Forward b = rules.get("b").orElseThrow();
        Forward handedOver = ForwardJson.withOrigin(b, Origin.config("edge-2:/etc/portgate/portgate.yaml"));
        // Planned on what was read, then a changes before the plan is applied.
        List<Change> planned = List.of(new Change.Removed(a), new Change.Updated(b, handedOver));
        rules.replaceAll(
                Origin.Kind.CONFIG,
                one,
                fileOf(
                        "edge-1",
                        "forwards:\n - {name: a, listen: 1000, target: 'h:9'}\n - {name: b, listen: 1001, target: 'h:2'}\n"),
                ACTOR);
        ChangeResult result = rules.applyPlanned(planned, ACTOR);
        assertThat(((ChangeResult.Applied) result).changes())
                .extracting(Change::name)
                .containsExactly("b");
        // The config forward's owner changes in place; a is left as it now is.
        assertThat(rules.get("b")).hasValue(handedOver);
        assertThat(rules.get("a").orElseThrow().toString()).endsWith("h:9");
    }
}
