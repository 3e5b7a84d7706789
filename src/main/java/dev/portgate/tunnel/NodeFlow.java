package dev.portgate.tunnel;

import dev.portgate.net.ActiveForward;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A player's UDP flow that reached another node and came here over a node link, going on to the tunnel client of
 * this node that owns the port. The node link and the client's connection may run on different loops: each side is
 * touched only on its own, so every hand-over is a task on the other's loop (in order, as tasks run).
 */
final class NodeFlow implements EndpointFlow {

    private final int id;
    private final ServerLink nodeLink;
    private final ClientLink client;
    /** Touched on the client's loop only. */
    private ServerFlow onward;

    private boolean closed;

    private NodeFlow(int id, ServerLink nodeLink, ClientLink client) {
        this.id = id;
        this.nodeLink = nodeLink;
        this.client = client;
    }

    /** {@code arrival} carries the client's own request id; the flow opens on the client's loop. */
    static NodeFlow open(
            ServerLink nodeLink, int id, ClientLink client, ActiveForward active, Arrival arrival, Duration idle) {
        NodeFlow flow = new NodeFlow(id, nodeLink, client);
        client.loop().execute(() -> {
            flow.onward = client.openFlow(active, client.loop(), flow::reply, arrival, idle, ended -> flow.ended());
            if (flow.onward == null) {
                flow.ended();
            }
        });
        return flow;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public void toTarget(ByteBuf payload, ByteBufAllocator alloc) {
        ByteBuf copy = payload.retainedDuplicate();
        client.loop().execute(() -> {
            ServerFlow f = onward;
            if (f == null) {
                copy.release();
                return;
            }
            if (f.send(copy)) {
                f.flush();
            }
        });
    }

    /** The client's answer, on its loop: back over the node link to the node the player is at. */
    private void reply(ByteBuf payload, InetSocketAddress player) {
        nodeLink.loop().execute(() -> {
            try {
                if (!closed && nodeLink.sendDatagram(Datagrams.toServer(nodeLink.carrier.alloc(), id, payload))) {
                    nodeLink.flush();
                }
            } finally {
                payload.release();
            }
        });
    }

    /** The client's side ended (idle, gone): the node link forgets the flow. */
    private void ended() {
        nodeLink.loop().execute(() -> {
            closed = true;
            nodeLink.flowEnded(this);
        });
    }

    @Override
    public void close() {
        closed = true;
        client.loop().execute(() -> {
            if (onward != null) {
                onward.close();
            }
        });
    }
}
