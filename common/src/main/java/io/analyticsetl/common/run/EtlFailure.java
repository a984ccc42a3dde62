package io.analyticsetl.common.run;

/**
 * A failure whose message is written for the user (what failed and what to check); the launcher
 * prints it as the run's one-line cause.
 */
public class EtlFailure extends RuntimeException {

  public EtlFailure(String message) {
    super(message);
  }

  public EtlFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
