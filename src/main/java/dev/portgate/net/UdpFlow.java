package dev.portgate.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/** One client's datagrams through a UDP listener: to a target of its own socket, or back through a tunnel. */
public interface UdpFlow {

    /** Queues or writes a client datagram (taking it); true if the flow needs a flush. */
    boolean send(ByteBuf content);

    void flush();

    void close();

    InetSocketAddress client();

    /** True if the target refused the flow: the client's next datagrams are dropped for a moment. */
    default boolean refusedByTarget() {
        return false;
    }

    /** Makes the flows of a listener that does not dial its target itself. */
    interface Opener {

        /**
         * A started flow for {@code client}'s datagrams to {@code listenPort}, answering through {@code frontend};
         * {@code onClose} is told when it ends. Null when there is nowhere to send them.
         */
        UdpFlow open(
                ActiveForward active,
                Channel frontend,
                InetSocketAddress client,
                int listenPort,
                Consumer<UdpFlow> onClose);
    }
}
