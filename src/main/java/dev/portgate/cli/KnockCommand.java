package dev.portgate.cli;

import dev.portgate.policy.KnockConfig;
import dev.portgate.policy.KnockPacket;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portgate knock HOST FORWARD --key-file F}: sends one signed knock datagram that opens a knock-guarded forward. */
@Command(
        name = "knock",
        mixinStandardHelpOptions = true,
        description = "Send a single-packet knock that opens a forward with access: knock for this machine's address.")
final class KnockCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "HOST", description = "the gateway")
    String host;

    @Parameters(index = "1", paramLabel = "FORWARD", description = "the forward's name")
    String forward;

    @Option(
            names = "--key-file",
            required = true,
            paramLabel = "FILE",
            description = "the forward's knock key (portgate knock-key)")
    Path keyFile;

    @Option(names = "--port", paramLabel = "N", description = "the gateway's knock port (default ${DEFAULT-VALUE})")
    int port = KnockConfig.DEFAULT_PORT;

    @Override
    public Integer call() {
        byte[] key;
        try {
            key = KnockPacket.readKey(keyFile);
        } catch (IOException e) {
            System.err.println("portgate knock: " + e.getMessage());
            return ExitCodes.INVALID;
        }
        try (DatagramSocket socket = new DatagramSocket()) {
            InetAddress address = InetAddress.getByName(host);
            byte[] packet = KnockPacket.build(forward, Instant.now().getEpochSecond(), key);
            socket.send(new DatagramPacket(packet, packet.length, address, port));
            System.out.println("knocked for \"" + forward + "\" on " + address.getHostAddress() + " udp " + port
                    + " (no answer comes back; connect within the forward's open-for)");
            return ExitCodes.OK;
        } catch (UnknownHostException e) {
            System.err.println("portgate knock: cannot resolve " + host);
            return ExitCodes.INVALID;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("portgate knock: " + e.getMessage());
            return ExitCodes.INVALID;
        }
    }
}
