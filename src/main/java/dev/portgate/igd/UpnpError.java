package dev.portgate.igd;

/** A UPnP error answer: the code clients switch on and a description for people. */
final class UpnpError extends Exception {

    static final int INVALID_ACTION = 401;
    static final int INVALID_ARGS = 402;
    static final int ACTION_FAILED = 501;
    static final int NOT_AUTHORIZED = 606;
    static final int ARRAY_INDEX_INVALID = 713;
    static final int NO_SUCH_ENTRY = 714;
    static final int WILDCARD_NOT_PERMITTED_IN_EXT_PORT = 716;
    static final int CONFLICT_IN_MAPPING_ENTRY = 718;
    static final int NO_PORT_MAPS_AVAILABLE = 728;
    static final int CONFLICT_WITH_OTHER_MECHANISMS = 729;
    static final int PORT_MAPPING_NOT_FOUND = 730;
    static final int WILDCARD_NOT_PERMITTED_IN_INT_PORT = 732;
    static final int INCONSISTENT_PARAMETERS = 733;

    final int code;

    UpnpError(int code, String description) {
        super(description, null, false, false);
        this.code = code;
    }
}
