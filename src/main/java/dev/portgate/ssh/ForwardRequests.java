package dev.portgate.ssh;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.forward.Forwarder;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tcpip-forward} and {@code cancel-tcpip-forward} ({@code ssh -R}) answered off the SSH loop: opening
 * or closing a remote forward is a rule change (a store write) and, for an open, a wait for the Reconciler's
 * bind — milliseconds in which the loop would hold every other tunnel of its sessions. The forwarder runs on
 * {@code changes} (one thread: a session's requests stay in their order), and the reply takes its turn among
 * the session's other global replies ({@link GlobalReplies}).
 */
final class ForwardRequests implements RequestHandler<ConnectionService> {

    private static final Logger log = LoggerFactory.getLogger(ForwardRequests.class);
    static final String FORWARD = "tcpip-forward";
    static final String CANCEL = "cancel-tcpip-forward";

    private final Executor changes;

    ForwardRequests(Executor changes) {
        this.changes = changes;
    }

    @Override
    public Result process(ConnectionService service, String request, boolean wantReply, Buffer buffer) {
        boolean open = FORWARD.equals(request);
        if (!open && !CANCEL.equals(request)) {
            return Result.Unsupported;
        }
        GlobalReplies replies = GlobalReplies.of(service.getSession());
        GlobalReplies.Slot slot = wantReply ? replies.reserve() : null;
        SshdSocketAddress address;
        try {
            // Read here: MINA reuses the buffer once this returns.
            address = new SshdSocketAddress(buffer.getString(), buffer.getInt());
        } catch (RuntimeException malformed) {
            log.info("ssh: a malformed {} refused: {}", request, malformed.getMessage());
            if (slot != null) {
                replies.answer(slot, false, -1);
            }
            return Result.Replied;
        }
        Forwarder forwarder = service.getForwarder();
        try {
            changes.execute(() -> run(forwarder, open, address, replies, slot));
        } catch (RejectedExecutionException stopping) {
            if (slot != null) {
                replies.answer(slot, false, -1);
            }
        }
        return Result.Replied;
    }

    private static void run(
            Forwarder forwarder,
            boolean open,
            SshdSocketAddress address,
            GlobalReplies replies,
            GlobalReplies.Slot slot) {
        boolean ok;
        int port = -1;
        try {
            if (open) {
                SshdSocketAddress bound = forwarder.localPortForwardingRequested(address);
                // Only a request for port 0 is told the port it got (RFC 4254 §7.1).
                port = address.getPort() == 0 ? bound.getPort() : -1;
            } else {
                forwarder.localPortForwardingCancelled(address);
            }
            ok = true;
        } catch (Exception e) {
            log.info("ssh: {} {} refused: {}", open ? FORWARD : CANCEL, address, e.getMessage());
            ok = false;
        }
        if (slot != null) {
            replies.answer(slot, ok, port);
        }
    }
}
