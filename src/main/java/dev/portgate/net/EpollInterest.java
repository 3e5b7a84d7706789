package dev.portgate.net;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Native;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around a Netty 4.2.18 epoll bug that cut replies short. When a socket's interest set becomes empty — a
 * client half-closed (no more EPOLLIN) and nothing waits to be written — Netty removes it from epoll but still
 * counts it as added; the next time a write must wait for room (EPOLLOUT) epoll_ctl fails with ENOENT and Netty
 * shuts the output, so the rest of a long reply to a slow, half-closed client was lost. Keeping EPOLLERR in the
 * set (the kernel reports it whether asked for or not) means the set is never empty. Newer Netty releases are not
 * served with their native files here, so the fix is ours until then.
 */
final class EpollInterest {

    private static final Logger log = LoggerFactory.getLogger(EpollInterest.class);
    /** Netty's epoll channel base class, which is not public. */
    private static final String EPOLL_CHANNEL = "io.netty.channel.epoll.AbstractEpollChannel";

    private static final Method SET_FLAG = setFlag();

    private EpollInterest() {}

    private static Method setFlag() {
        try {
            Method m = Class.forName(EPOLL_CHANNEL).getDeclaredMethod("setFlag", int.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn(
                    "epoll: cannot apply the half-close workaround ({}); long replies to half-closed clients may be "
                            + "cut short",
                    e.toString());
            return null;
        }
    }

    /** Call once a channel is registered, before it reads. */
    static void neverEmpty(Channel ch) {
        if (SET_FLAG == null || !SET_FLAG.getDeclaringClass().isInstance(ch)) {
            return;
        }
        try {
            SET_FLAG.invoke(ch, Native.EPOLLERR);
        } catch (ReflectiveOperationException e) {
            log.debug("epoll: {}", e.toString());
        }
    }
}
