package dev.portgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the keys of one YAML mapping, reporting unknown and duplicate keys, wrong shapes and
 * values that do not parse — every one, with its line — instead of stopping at the first.
 */
final class Fields {

    private final MappingNode node;
    private final Problems problems;
    private final Map<String, Node> values = new LinkedHashMap<>();
    private String owner;

    Fields(MappingNode node, Problems problems, String owner, Set<String> known, String knownHint) {
        this.node = node;
        this.problems = problems;
        this.owner = owner;
        for (NodeTuple t : node.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                problems.add(t.getKeyNode(), owner, "", "a key must be a plain word");
                continue;
            }
            String k = key.getValue();
            if (!known.contains(k)) {
                problems.add(key, owner, k, "unknown key \"" + k + "\" — known keys are " + knownHint);
            } else if (values.putIfAbsent(k, t.getValueNode()) != null) {
                problems.add(key, owner, k, "key \"" + k + "\" is given twice");
            }
        }
    }

    /** The text of a scalar key, read before the mapping is walked (to name its owner early). */
    static Optional<String> peek(MappingNode node, String key) {
        for (NodeTuple t : node.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k
                    && k.getValue().equals(key)
                    && t.getValueNode() instanceof ScalarNode v) {
                return Optional.of(v.getValue());
            }
        }
        return Optional.empty();
    }

    /** Later problems name this forward. */
    void owner(String name) {
        this.owner = name;
    }

    Node at(String key) {
        return values.getOrDefault(key, node);
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    Optional<String> scalar(String key) {
        Node v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof ScalarNode s) {
            return Optional.of(s.getValue());
        }
        problems.add(v, owner, key, key + " must be a single value, not a " + shape(v));
        return Optional.empty();
    }

    /** A list of scalars; a single scalar counts as a list of one. */
    Optional<List<String>> list(String key) {
        Node v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof ScalarNode s) {
            return Optional.of(s.getValue().isEmpty() ? List.of() : List.of(s.getValue()));
        }
        if (v instanceof SequenceNode seq) {
            List<String> out = new ArrayList<>();
            for (Node item : seq.getValue()) {
                if (item instanceof ScalarNode s) {
                    out.add(s.getValue());
                } else {
                    problems.add(item, owner, key, key + " must list single values, not a " + shape(item));
                }
            }
            return Optional.of(out);
        }
        problems.add(v, owner, key, key + " must be a list, not a " + shape(v));
        return Optional.empty();
    }

    /** A list of mappings (e.g. users); anything else in the list is a problem. */
    Optional<List<MappingNode>> mappings(String key) {
        Node v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof SequenceNode seq)) {
            problems.add(v, owner, key, key + " must be a list, not a " + shape(v));
            return Optional.empty();
        }
        List<MappingNode> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (item instanceof MappingNode m) {
                out.add(m);
            } else {
                problems.add(
                        item,
                        owner,
                        key,
                        key + " must list mappings (name: …, password-hash: …), not a " + shape(item));
            }
        }
        return Optional.of(out);
    }

    Problems problems() {
        return problems;
    }

    String owner() {
        return owner;
    }

    /** Parses a scalar; a parse failure becomes a problem naming the key, and the result is empty. */
    <T> Optional<T> parsed(String key, Function<String, T> parser) {
        return scalar(key).flatMap(text -> parse(key, text, at(key), parser));
    }

    <T> Optional<T> parse(String key, String text, Node at, Function<String, T> parser) {
        try {
            return Optional.ofNullable(parser.apply(text));
        } catch (IllegalArgumentException e) {
            problems.add(at, owner, key, key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    void problem(String key, String message) {
        problems.add(at(key), owner, key, message);
    }

    static String shape(Node n) {
        return n instanceof MappingNode ? "mapping" : n instanceof SequenceNode ? "list" : "value";
    }

    static boolean parseBoolean(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("\"" + s + "\" is not true or false");
        };
    }

    static int parseCount(String s) {
        String t = s.strip();
        if (t.isEmpty() || t.length() > 9 || !t.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("\"" + s + "\" is not a whole number of 0 or more");
        }
        return Integer.parseInt(t);
    }
}
