package dev.portgate.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.apache.sshd.common.random.Random;
import org.junit.jupiter.api.Test;

class BufferedRandomTest {

    private final Random random = BufferedRandom.FACTORY.create();

    @Test
    void fillsOnlyTheRangeAskedForAndNeverHandsOutTheSameBytesTwice() {
        Set<String> seen = new HashSet<>();
        // 3000 draws of 16 bytes cross the 8 KiB block several times.
        for (int i = 0; i < 3000; i++) {
            byte[] b = new byte[20];
            random.fill(b, 2, 16);
            assertThat(b[0]).isZero();
            assertThat(b[1]).isZero();
            assertThat(b[18]).isZero();
            assertThat(b[19]).isZero();
            assertThat(seen.add(Arrays.toString(Arrays.copyOfRange(b, 2, 18))))
                    .as("draw %d is new", i)
                    .isTrue();
        }
    }

    @Test
    void aDrawLargerThanTheBlockIsRandomThroughout() {
        byte[] big = new byte[20_000];
        random.fill(big, 0, big.length);
        assertThat(Arrays.copyOfRange(big, 19_900, 20_000)).isNotEqualTo(new byte[100]);
        assertThat(random.random(10)).isBetween(0, 9);
    }
}
