package dev.portgate;

/** The version this build says it is: the jar's manifest, else the build's system property. */
public final class BuildVersion {

    private BuildVersion() {}

    public static String get() {
        String v = BuildVersion.class.getPackage().getImplementationVersion();
        if (v == null) {
            v = System.getProperty("portgate.version"); // the man page generator runs from classes, not the jar
        }
        return v == null ? "(development build)" : v;
    }
}
