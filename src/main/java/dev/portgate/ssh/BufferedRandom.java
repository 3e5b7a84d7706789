package dev.portgate.ssh;

import java.security.SecureRandom;
import org.apache.sshd.common.random.AbstractRandom;
import org.apache.sshd.common.random.Random;
import org.apache.sshd.common.random.RandomFactory;

/**
 * Each SSH session's randomness (packet padding, KEXINIT cookies) drawn from the system's SecureRandom 8 KiB at a
 * time. MINA's default asks the SecureRandom for every packet's few bytes of padding — on Linux a read of
 * /dev/urandom and a lock each time, 1.5 % of a busy tunnel's CPU in the profile; a JDK DRBG per call cost more.
 * One instance per session, its lock uncontended (MINA encodes one packet at a time).
 */
final class BufferedRandom extends AbstractRandom {

    static final RandomFactory FACTORY = new RandomFactory() {
        @Override
        public String getName() {
            return "buffered";
        }

        @Override
        public boolean isSupported() {
            return true;
        }

        @Override
        public Random create() {
            return new BufferedRandom();
        }
    };

    private static final SecureRandom SYSTEM = new SecureRandom();

    private final byte[] block = new byte[8192];
    private int used = block.length;

    @Override
    public String getName() {
        return "buffered";
    }

    @Override
    public synchronized void fill(byte[] bytes, int start, int len) {
        if (len > block.length) {
            byte[] big = new byte[len];
            SYSTEM.nextBytes(big);
            System.arraycopy(big, 0, bytes, start, len);
            return;
        }
        if (block.length - used < len) {
            SYSTEM.nextBytes(block);
            used = 0;
        }
        System.arraycopy(block, used, bytes, start, len);
        used += len;
    }

    @Override
    public int random(int n) {
        return SYSTEM.nextInt(n);
    }
}
