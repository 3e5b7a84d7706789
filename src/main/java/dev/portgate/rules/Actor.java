package dev.portgate.rules;

/** Who makes a change and from where — what the audit log records. */
public record Actor(String name, String source) {

    public Actor {
        source = source == null ? "" : source;
    }

    public static Actor config(String file) {
        return new Actor("config " + file, "");
    }

    public static final Actor SYSTEM = new Actor("portgate", "");

    @Override
    public String toString() {
        return source.isEmpty() ? name : name + " from " + source;
    }
}
