package dev.portgate.cli;

/** Exit codes scripts can trust. */
final class ExitCodes {

    static final int OK = 0;
    /** The config (or another input) is invalid. */
    static final int INVALID = 1;
    /** The command line itself is wrong. */
    static final int USAGE = 2;
    /** The gateway could not start (data folder in use, cannot bind…). */
    static final int FAILED = 3;

    private ExitCodes() {}
}
