package dev.portgate.cli;

import picocli.CommandLine;

/** Prints the version from the jar's manifest. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v == null) {
            v = System.getProperty("portgate.version"); // the man page generator runs from classes, not the jar
        }
        return new String[] {"portgate " + (v == null ? "(development build)" : v)};
    }
}
