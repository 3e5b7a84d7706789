package dev.portgate.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real portgate jar, run as a user would run it, with its output captured for assertions. */
public final class JarProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private JarProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("portgate.jar", "target/portgate.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn package first (mvn verify does)");
        }
        return jar;
    }

    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static JarProcess start(Path workDir, String... args) throws IOException {
        return start(workDir, Map.of(), args);
    }

    public static JarProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        return start(workDir, env, List.of(), args);
    }

    /** Runs the jar under {@code prefix}, e.g. {@code ip netns exec NAME}. */
    public static JarProcess start(Path workDir, Map<String, String> env, List<String> prefix, String... args)
            throws IOException {
        Path log = workDir.resolve("portgate-" + System.nanoTime() + ".log");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().remove("PORTGATE_API_TOKEN");
        pb.environment().remove("PORTGATE_ADMIN_PASSWORD");
        // Tests leave the machine's nftables alone; the kernel tests turn the kernel data plane on in their namespaces.
        pb.environment().put("PORTGATE_KERNEL", "off");
        pb.environment().putAll(env);
        return new JarProcess(pb.start(), log);
    }

    /**
     * {@code portgate serve} in {@code dir} on its {@code portgate.yaml}, data in {@code dir/data}, the console on
     * {@code console}; {@code prefix} runs it elsewhere (a network namespace).
     */
    public static JarProcess serve(Path dir, List<String> prefix, String console) throws IOException {
        return start(
                dir, Map.of(), prefix, "serve", "--config", "portgate.yaml", "--data", "data", "--console", console);
    }

    /** Runs a short command of the jar (check, --help…) to its end. */
    public static Processes.Result run(Path workDir, String... args) throws IOException, InterruptedException {
        return Processes.run(Duration.ofSeconds(60), command(args));
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output contains {@code text}, then returns it. */
    public String awaitOutput(String text) {
        await().atMost(Duration.ofSeconds(30)).until(() -> output().contains(text) || !process.isAlive());
        String out = output();
        if (!out.contains(text)) {
            throw new AssertionError(
                    "portgate exited (" + process.exitValue() + ") before printing \"" + text + "\":\n" + out);
        }
        return out;
    }

    /** How many times {@code text} occurs in the output so far. */
    public int count(String text) {
        String out = output();
        int n = 0;
        for (int at = out.indexOf(text); at >= 0; at = out.indexOf(text, at + 1)) {
            n++;
        }
        return n;
    }

    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -s " + name + " failed");
        }
    }

    public int awaitExit(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("portgate did not exit within " + limit + ":\n" + output());
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
