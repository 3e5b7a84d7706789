package dev.portgate.ssh;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.sshd.server.session.ServerSession;

/**
 * What portgate tells an SSH session about its forwards — the address of each site it serves, as sish does —
 * shown by the session's shell ({@link NoticeShell}) when the client opens one (plain {@code ssh -R …}, no {@code -N}).
 */
public final class SessionNotices {

    private final Map<ServerSession, List<String>> bySession = new ConcurrentHashMap<>();
    private final Map<ServerSession, List<Consumer<String>>> readers = new ConcurrentHashMap<>();

    void add(ServerSession session, String line) {
        bySession
                .computeIfAbsent(session, s -> {
                    s.addCloseFutureListener(f -> {
                        bySession.remove(s);
                        readers.remove(s);
                    });
                    return new CopyOnWriteArrayList<>();
                })
                .add(line);
        readers.getOrDefault(session, List.of()).forEach(r -> r.accept(line));
    }

    /** The notices so far, and each later one as it comes. */
    void follow(ServerSession session, Consumer<String> reader) {
        readers.computeIfAbsent(session, s -> new CopyOnWriteArrayList<>()).add(reader);
        bySession.getOrDefault(session, List.of()).forEach(reader);
    }

    void stop(ServerSession session, Consumer<String> reader) {
        List<Consumer<String>> list = readers.get(session);
        if (list != null) {
            list.remove(reader);
        }
    }
}
