package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.secrets.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The App Store Connect client the options describe, credentials from the environment only. */
final class AppstoreApi {

  private AppstoreApi() {}

  static AppStoreConnectClient client(AppstoreOptions options) {
    String issuer = variable("ascIssuerIdEnv", options.getAscIssuerIdEnv());
    String keyId = variable("ascKeyIdEnv", options.getAscKeyIdEnv());
    String keyPath = variable("ascPrivateKeyPathEnv", options.getAscPrivateKeyPathEnv());
    Secret key;
    try {
      key = Secret.of(Files.readString(Path.of(keyPath)));
    } catch (IOException e) {
      throw new InvalidOptionException(
          "ascPrivateKeyPathEnv", "cannot read the .p8 key named by $" + options.getAscPrivateKeyPathEnv() + ": " + e.getMessage());
    }
    String hint =
        "the issuer id ($" + options.getAscIssuerIdEnv() + "), the key id ($" + options.getAscKeyIdEnv()
            + ") and the .p8 key ($" + options.getAscPrivateKeyPathEnv() + ")";
    return new AppStoreConnectClient(
        options.getAscBaseUrl(), issuer, keyId, key, hint, options.getAscMaxRetries(), options.getAscRetryDelayMillis());
  }

  private static String variable(String option, String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      throw new InvalidOptionException(option, "the environment variable " + name + " is not set");
    }
    return value.trim();
  }
}
