package io.analyticsetl.common.secrets;

import java.io.Serializable;
import java.util.Objects;

/**
 * A secret value (password, token, key) that travels with the pipeline but never prints: its
 * {@code toString} is redacted, so it cannot leak through logs, ledgers or exception messages.
 */
public final class Secret implements Serializable {

  private static final Secret NONE = new Secret("");
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Reads the secret from the environment variable {@code variable}; empty when the variable is
   * unset (a database with trust authentication needs none).
   */
  public static Secret fromEnvironment(String variable) {
    if (variable == null || variable.isBlank()) {
      return NONE;
    }
    String value = System.getenv(variable);
    return value == null ? NONE : new Secret(value);
  }

  public static Secret of(String value) {
    return new Secret(Objects.requireNonNull(value));
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  /** The secret itself, for the one call that needs it (a driver, a signer). */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "<redacted>";
  }
}
