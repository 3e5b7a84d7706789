package dev.portgate.kernel;

/** nftables refused a transaction or cannot be used; the message is nft's own. */
public final class NftException extends Exception {

    private static final long serialVersionUID = 1L;

    public NftException(String message) {
        super(message);
    }
}
