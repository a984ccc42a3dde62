package io.analyticsetl.testkit.appstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** A fresh App Store Connect API key for tests: an EC P-256 key written as Apple's .p8 (PKCS#8 PEM). */
public record AscKey(String issuerId, String keyId, Path p8File, ECPublicKey publicKey) {

  public static AscKey generate(Path directory) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      String pem =
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n";
      Files.createDirectories(directory);
      Path file = directory.resolve("AuthKey_TESTKEY123.p8");
      Files.writeString(file, pem);
      return new AscKey("69a6de7e-0000-47e3-e053-5b8c7c11a4d1", "TESTKEY123", file, (ECPublicKey) pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC key", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
