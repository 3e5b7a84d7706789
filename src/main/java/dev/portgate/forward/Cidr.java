package dev.portgate.forward;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network: {@code 192.168.0.0/16}, {@code 2001:db8::/32}; a bare address is a /32 or /128. */
public record Cidr(InetAddress network, int prefix) {

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " is out of range 0-" + bits);
        }
        network = mask(network, prefix);
    }

    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String addressPart = slash < 0 ? s : s.substring(0, slash);
        InetAddress address = Addresses.literal(addressPart);
        if (address == null) {
            throw new IllegalArgumentException(
                    "\"" + s + "\" is not a CIDR — write it like 192.168.0.0/16 or 2001:db8::/32");
        }
        address = Addresses.unmap(address);
        int bits = address.getAddress().length * 8;
        if (slash < 0) {
            return new Cidr(address, bits);
        }
        String prefixPart = s.substring(slash + 1);
        if (prefixPart.isEmpty()
                || prefixPart.length() > 3
                || !prefixPart.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("\"" + s + "\" has no valid prefix length — use /0 to /" + bits);
        }
        int prefix = Integer.parseInt(prefixPart);
        if (prefix > bits) {
            throw new IllegalArgumentException(
                    "\"" + s + "\" has prefix /" + prefix + ", more than the address's " + bits + " bits");
        }
        return new Cidr(address, prefix);
    }

    public boolean contains(InetAddress address) {
        InetAddress a = Addresses.unmap(address);
        byte[] net = network.getAddress();
        byte[] bytes = a.getAddress();
        if (net.length != bytes.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != bytes[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int m = (0xff << (8 - rest)) & 0xff;
        return (net[full] & m) == (bytes[full] & m);
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) ((0xff << (8 - keep)) & 0xff);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return NetUtil.toAddressString(network) + "/" + prefix;
    }
}
