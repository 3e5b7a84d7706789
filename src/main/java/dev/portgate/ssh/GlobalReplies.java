package dev.portgate.ssh;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSH session's replies to global requests, sent in the order the requests came (RFC 4254 §4 has no
 * request id: the client matches replies by order) while some are answered later, off the SSH loop — a
 * {@code tcpip-forward} waits for a store write and a bind. A reply that is ready while an earlier one is not
 * waits behind it.
 */
final class GlobalReplies {

    private static final Logger log = LoggerFactory.getLogger(GlobalReplies.class);
    private static final AttributeKey<GlobalReplies> KEY = new AttributeKey<>();

    /** A place in the line of replies; {@code packet} is set once the answer is known. */
    static final class Slot {
        private Buffer packet;
        private boolean done;
    }

    private final Session session;
    private final ArrayDeque<Slot> line = new ArrayDeque<>();

    private GlobalReplies(Session session) {
        this.session = session;
    }

    static GlobalReplies of(Session session) {
        return session.computeAttributeIfAbsent(KEY, k -> new GlobalReplies(session));
    }

    /** Wraps MINA's handlers so that their replies keep their turn behind one still pending. */
    static List<RequestHandler<ConnectionService>> inTurn(List<? extends RequestHandler<ConnectionService>> handlers) {
        return handlers.stream()
                .<RequestHandler<ConnectionService>>map(InTurn::new)
                .toList();
    }

    /** Answers every request no handler took with a failure, in its turn (MINA's own fallback would not wait). */
    static final RequestHandler<ConnectionService> UNKNOWN = new InTurn((service, request, wantReply, buffer) -> {
        log.debug("ssh: global request \"{}\" is not supported", request);
        return RequestHandler.Result.ReplyFailure;
    });

    /** Holds the next place in line, for an answer that comes later. */
    synchronized Slot reserve() {
        Slot s = new Slot();
        line.add(s);
        return s;
    }

    /** Answers {@code slot}: success (with {@code port} if it is not negative) or failure, sent in its turn. */
    void answer(Slot slot, boolean success, int port) {
        Buffer packet = session.createBuffer(
                success ? SshConstants.SSH_MSG_REQUEST_SUCCESS : SshConstants.SSH_MSG_REQUEST_FAILURE, 8);
        if (success && port >= 0) {
            packet.putUInt(port);
        }
        synchronized (this) {
            slot.packet = packet;
            slot.done = true;
            while (!line.isEmpty() && line.peek().done) {
                send(line.poll().packet);
            }
        }
    }

    /**
     * {@code result} as MINA would send it now if nothing is waiting; else queued behind what is, and
     * {@code Replied} so that MINA sends nothing itself. Called on the session's decoding thread only, so nothing
     * joins the line between the look and MINA's send.
     */
    private RequestHandler.Result inTurn(RequestHandler.Result result, boolean wantReply) {
        if (!wantReply || result == RequestHandler.Result.Unsupported || result == RequestHandler.Result.Replied) {
            return result;
        }
        Slot slot;
        synchronized (this) {
            if (line.isEmpty()) {
                return result;
            }
            slot = reserve();
        }
        answer(slot, result == RequestHandler.Result.ReplySuccess, -1);
        return RequestHandler.Result.Replied;
    }

    /** Under this object's lock, so that replies reach MINA in their order; as MINA's own thread (no wait at a rekey). */
    private void send(Buffer packet) {
        try {
            ThreadUtils.runAsInternal(packet, session::writePacket);
        } catch (IOException | RuntimeException e) {
            log.debug("ssh: a reply to a global request could not be sent ({}): the session is closing", e.toString());
        }
    }

    /** One of MINA's global request handlers, its reply kept in turn. */
    private record InTurn(RequestHandler<ConnectionService> inner) implements RequestHandler<ConnectionService> {
        @Override
        public Result process(ConnectionService service, String request, boolean wantReply, Buffer buffer)
                throws Exception {
            Result r = inner.process(service, request, wantReply, buffer);
            return GlobalReplies.of(service.getSession()).inTurn(r, wantReply);
        }
    }
}
