package dev.portgate.ssh;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.apache.sshd.common.cipher.Cipher;
import org.assertj.core.api.Assertions;

/** SSH packets sealed and opened by an AEAD cipher as MINA's transport does, for the cipher tests. */
final class SshPackets {

    private SshPackets() {}

    /** An SSH packet: 4-byte length, payload, room for the 16-byte tag; encrypted in place. */
    static byte[] seal(Cipher c, byte[] payload) throws Exception {
        byte[] packet = new byte[4 + payload.length + 16];
        packet[0] = (byte) (payload.length >>> 24);
        packet[1] = (byte) (payload.length >>> 16);
        packet[2] = (byte) (payload.length >>> 8);
        packet[3] = (byte) payload.length;
        System.arraycopy(payload, 0, packet, 4, payload.length);
        c.updateAAD(packet, 0, 4);
        c.update(packet, 4, payload.length);
        return packet;
    }

    /**
     * Seals a stream of packets of {@code sizes} with both senders and checks they match byte for byte, then
     * opens each with both receivers; every cipher keeps its state (sequence numbers) across the stream.
     */
    static void assertSameStreamAsMina(
            Cipher oursOut, Cipher minaOut, Cipher oursIn, Cipher minaIn, int[] sizes, IntFunction<byte[]> payloads)
            throws Exception {
        for (int size : sizes) {
            byte[] payload = payloads.apply(size);
            byte[] sealed = seal(oursOut, payload);
            Assertions.assertThat(sealed).as("packet of %d bytes", size).isEqualTo(seal(minaOut, payload));
            Assertions.assertThat(open(minaIn, sealed)).isEqualTo(payload);
            Assertions.assertThat(open(oursIn, sealed)).isEqualTo(payload);
        }
    }

    static byte[] open(Cipher c, byte[] packet) throws Exception {
        byte[] p = packet.clone();
        c.updateAAD(p, 0, 4);
        int length = ((p[0] & 0xff) << 24) | ((p[1] & 0xff) << 16) | ((p[2] & 0xff) << 8) | (p[3] & 0xff);
        c.update(p, 4, length);
        return Arrays.copyOfRange(p, 4, 4 + length);
    }
}
