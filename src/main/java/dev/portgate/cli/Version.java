package dev.portgate.cli;

import picocli.CommandLine;

/** Prints the version from the jar's manifest. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"portgate " + (v == null ? "(development build)" : v)};
    }
}
