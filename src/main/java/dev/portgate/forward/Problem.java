package dev.portgate.forward;

/**
 * One thing wrong with a forward or a config: where (file:line, if known), which forward, which
 * field, and a message that says what is wrong and how to fix it. The message reads on its own
 * (it names the field itself); the field is kept apart for forms that show errors beside it.
 */
public record Problem(String where, String forward, String field, String message) {

    public Problem {
        where = where == null ? "" : where;
        forward = forward == null ? "" : forward;
        field = field == null ? "" : field;
    }

    public static Problem of(String forward, String field, String message) {
        return new Problem("", forward, field, message);
    }

    public Problem at(String location) {
        return new Problem(location, forward, field, message);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (!where.isEmpty()) {
            b.append(where).append(": ");
        }
        if (!forward.isEmpty()) {
            b.append("forward \"").append(forward).append("\": ");
        }
        return b.append(message).toString();
    }
}
