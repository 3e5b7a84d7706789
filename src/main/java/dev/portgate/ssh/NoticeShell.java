package dev.portgate.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.session.ServerSession;

/**
 * The "shell" of portgate's SSH server: no commands, only the session's notices (the address of each site it
 * serves), until the user presses Ctrl-C or Ctrl-D — so {@code ssh -R demo:80:localhost:3000 gw} shows where the site
 * is and keeps the forward up, as sish does.
 */
final class NoticeShell implements Command {

    private static final int CTRL_C = 3;
    private static final int CTRL_D = 4;

    private final SessionNotices notices;
    private InputStream in;
    private OutputStream out;
    private ExitCallback exit;
    private ServerSession session;
    private Consumer<String> reader;
    private Thread waiter;

    NoticeShell(SessionNotices notices) {
        this.notices = notices;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        // Everything goes to the output: a terminal shows both the same.
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        session = channel.getServerSession();
        write("portgate: no shell here; your forwards stay up until you press Ctrl-C.");
        reader = this::write;
        notices.follow(session, reader);
        // One small thread per open shell, blocked on the user's keys: a shell is rare and long-lived.
        waiter = new Thread(this::waitForQuit, "ssh-notices");
        waiter.setDaemon(true);
        waiter.start();
    }

    private void waitForQuit() {
        try {
            int b;
            do {
                b = in.read();
            } while (b >= 0 && b != CTRL_C && b != CTRL_D);
        } catch (IOException closed) {
            // The channel is gone: nothing to wait for.
        }
        notices.stop(session, reader);
        exit.onExit(0);
    }

    private synchronized void write(String line) {
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException closed) {
            // The client stopped listening; the notice is lost with it.
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (reader != null) {
            notices.stop(session, reader);
        }
        if (waiter != null) {
            waiter.interrupt();
        }
    }
}
