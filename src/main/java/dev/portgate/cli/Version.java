package dev.portgate.cli;

import dev.portgate.BuildVersion;
import picocli.CommandLine;

final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"portgate " + BuildVersion.get()};
    }
}
