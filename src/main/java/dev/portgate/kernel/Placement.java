package dev.portgate.kernel;

/**
 * Which data plane carries a forward, and why when it is not the kernel. {@code reason} is null for a
 * forward whose kind only the relay can carry (proxies, tunnels): nothing to explain there.
 */
public record Placement(Plane plane, String reason) {

    public enum Plane {
        KERNEL,
        RELAY,
        /** The forward asks for the kernel (data-plane: kernel) and the kernel data plane is not available. */
        NONE
    }

    public static final Placement KERNEL = new Placement(Plane.KERNEL, null);
    public static final Placement RELAY = new Placement(Plane.RELAY, null);

    public static Placement relay(String why) {
        return new Placement(Plane.RELAY, why);
    }

    public boolean kernel() {
        return plane == Plane.KERNEL;
    }

    /** "kernel", "relay", "relay: the target is a host name". */
    public String label() {
        String word = plane == Plane.NONE ? "none" : plane == Plane.KERNEL ? "kernel" : "relay";
        return reason == null ? word : word + ": " + reason;
    }
}
