package dev.portgate.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.threads.ThreadUtils;

/**
 * An SSH channel that carries one TCP connection's bytes for {@link SshTunnelChannel}: a client's
 * {@code direct-tcpip}, a server's {@code forwarded-tcpip} ({@link BridgedTcpip}), or a {@code direct-tcpip}
 * that an OpenSSH client opened on portgate's server ({@link BridgedServerTcpip}).
 */
interface SshPipe extends Channel {

    /** The other half: told of each incoming chunk (still in MINA's buffer: copy it), the EOF and a wider window. */
    interface Bridge {
        void data(byte[] bytes, int offset, int length);

        void eof();

        void windowOpened();
    }

    /** The bridge and the send lock this channel shares with its MINA overrides. */
    PipeGate gate();

    default void bridge(Bridge bridge) {
        gate().bridge(bridge);
    }

    /**
     * Writes one data packet, or returns null once the channel is closing: a data packet that followed our
     * SSH_MSG_CHANNEL_CLOSE would name a channel the peer has freed, and OpenSSH drops the whole connection for it.
     * <p>
     * Written as one of MINA's own threads: during a key exchange MINA then queues the packet (its future
     * completes when it is sent) instead of blocking the caller — an event loop, perhaps the very one that must
     * read the peer's new keys.
     */
    default IoWriteFuture sendData(Buffer packet) throws IOException {
        return ThreadUtils.runAsInternal(packet, p -> gate().send(isClosing(), () -> writePacket(p)));
    }

    /** Our side has no more to send: SSH_MSG_CHANNEL_EOF, after the data packets already written (null if closing). */
    IoWriteFuture sendEndOfData() throws IOException;

    /** What the relay shows as this end's address: the originator the channel was opened for. */
    InetSocketAddress originator();
}
