package dev.portgate.config;

import dev.portgate.forward.Problem;
import java.util.List;
import java.util.stream.Collectors;

/** A config that does not validate, with every problem found in it. */
public final class ConfigException extends Exception {

    private final transient List<Problem> problems;

    public ConfigException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
