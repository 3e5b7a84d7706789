package dev.portgate.net;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on a forward's listening socket and takes the errors accepting raises, above all running out of
 * descriptors: each is counted as a refusal, and logged as one line naming the forward and the limit
 * at most once a minute, instead of Netty's warning twice a second at the tail of the pipeline.
 */
@ChannelHandler.Sharable
final class AcceptFailures extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AcceptFailures.class);

    private final ActiveForward active;
    private final OncePer logLine = new OncePer(Duration.ofMinutes(1));

    AcceptFailures(ActiveForward active) {
        this.active = active;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        boolean descriptors = outOfDescriptors(cause);
        if (active != null) {
            active.stats().refused(descriptors ? ForwardStats.Refusal.DESCRIPTORS : ForwardStats.Refusal.ACCEPT_FAILED);
        }
        if (!logLine.now()) {
            return;
        }
        if (descriptors) {
            log.warn(
                    "{}: cannot accept connections: too many open files (this process may hold {};"
                            + " raise it with ulimit -n or LimitNOFILE=); refusals are counted, next line in a minute",
                    owner(),
                    descriptorLimit());
        } else {
            log.warn("{}: cannot accept a connection: {} (next line in a minute)", owner(), Errors.reason(cause));
        }
    }

    /** The forward, or the shared name-routing ports, whose listener failed. */
    private String owner() {
        return active == null ? "http-routing" : "forward \"" + active.name() + "\"";
    }

    static boolean outOfDescriptors(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("Too many open files") || m.contains("EMFILE") || m.contains("ENFILE"))) {
                return true;
            }
        }
        return false;
    }

    private static String descriptorLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean unix
                ? String.valueOf(unix.getMaxFileDescriptorCount())
                : "an unknown number";
    }
}
