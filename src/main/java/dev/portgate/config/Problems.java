package dev.portgate.config;

import dev.portgate.forward.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/** Collects every problem found while reading one document, each with file:line where known. */
public final class Problems {

    private final String source;
    private final List<Problem> list = new ArrayList<>();

    public Problems(String source) {
        this.source = source;
    }

    public void add(Node at, String forward, String field, String message) {
        list.add(new Problem(where(at), forward, field, message));
    }

    public void add(Problem p, Node at) {
        list.add(p.where().isEmpty() ? p.at(where(at)) : p);
    }

    private String where(Node at) {
        if (at == null || at.getStartMark() == null) {
            return source;
        }
        return source + ":" + (at.getStartMark().getLine() + 1);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<Problem> list() {
        return List.copyOf(list);
    }

    /** In the order of the file, so a person can fix them top to bottom. */
    public List<Problem> byLine() {
        List<Problem> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingInt(p -> line(p.where())));
        return sorted;
    }

    private static int line(String where) {
        int colon = where.lastIndexOf(':');
        try {
            return colon < 0 ? 0 : Integer.parseInt(where.substring(colon + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
