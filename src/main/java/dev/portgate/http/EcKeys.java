package dev.portgate.http;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** P-256 key pairs from the JDK's own provider (acme4j's helper wants Bouncy Castle registered, which we do not do). */
final class EcKeys {

    private EcKeys() {}

    static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java has no P-256 keys: " + e.getMessage(), e);
        }
    }
}
