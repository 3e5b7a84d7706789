package dev.portgate.rules;

import dev.portgate.forward.Forward;
import dev.portgate.forward.Origin;
import dev.portgate.forward.Problem;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a shared store, the config forwards this node's file declares. A forward that several nodes' files declare
 * alike is one forward, owned by one of those files; when that file lets go of it (it no longer declares it, or
 * its node was forgotten), this node's file takes it on at once — it does not stay gone until this file is next
 * reloaded.
 */
public final class FileClaims implements Consumer<List<Change>> {

    private static final Logger log = LoggerFactory.getLogger(FileClaims.class);

    /** What this node's file declared when it was last applied, each forward owned by it. */
    private record Claim(String owner, List<Forward> forwards) {}

    private final RuleService rules;
    /** Where claims are made: never inside the RuleService's publishing, one at a time. */
    private final Executor worker;

    private volatile Claim claim = new Claim("", List.of());

    public FileClaims(RuleService rules, Executor worker) {
        this.rules = rules;
        this.worker = worker;
    }

    /** The forwards this node's file declares, owned by {@code owner}, as just applied. */
    public void declared(String owner, List<Forward> forwards) {
        claim = new Claim(owner, List.copyOf(forwards));
    }

    /** This node's own declaration of {@code theirs} when its file declares it alike, so it can take it over. */
    public Optional<Forward> alike(Forward theirs) {
        return claim.forwards().stream()
                .filter(f -> f.name().equals(theirs.name()) && RuleService.sameDeclaration(f, theirs))
                .findFirst();
    }

    @Override
    public void accept(List<Change> changes) {
        Claim now = claim;
        boolean lost = changes.stream()
                .anyMatch(c -> c instanceof Change.Removed r
                        && r.before().origin().kind() == Origin.Kind.CONFIG
                        && !r.before().origin().owner().equals(now.owner())
                        && now.forwards().stream().anyMatch(f -> f.name().equals(r.name())));
        if (lost) {
            worker.execute(this::claim);
        }
    }

    private void claim() {
        Claim now = claim;
        ChangeResult result =
                rules.replaceAll(Origin.Kind.CONFIG, now.owner(), now.forwards(), Actor.config(now.owner()));
        if (result instanceof ChangeResult.Applied applied && !applied.changes().isEmpty()) {
            log.info(
                    "config {}: took on {} forward(s) another node's file let go of",
                    now.owner(),
                    applied.changes().size());
        } else if (result instanceof ChangeResult.Rejected rejected) {
            // Another node's file took it first, or it clashes with what was made since: that node's change stands.
            log.info(
                    "config {}: did not take on a forward another node's file let go of: {}",
                    now.owner(),
                    rejected.problems().stream().map(Problem::message).toList());
        }
    }
}
