package dev.portgate.web;

import dev.portgate.forward.Problem;
import java.util.List;

/** An API error: the HTTP status, a message, and per-field problems where there are any. */
final class ApiException extends RuntimeException {

    private final int status;
    private final transient List<Problem> problems;

    ApiException(int status, String message) {
        this(status, message, List.of());
    }

    ApiException(int status, String message, List<Problem> problems) {
        super(message);
        this.status = status;
        this.problems = List.copyOf(problems);
    }

    int status() {
        return status;
    }

    List<Problem> problems() {
        return problems;
    }
}
