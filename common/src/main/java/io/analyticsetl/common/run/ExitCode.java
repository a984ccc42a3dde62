package io.analyticsetl.common.run;

/** Exit status of a launch (contract section 4). */
public final class ExitCode {
  public static final int SUCCESS = 0;
  /** The run failed; a one-line cause is on stderr. */
  public static final int FAILURE = 1;
  /** An option is invalid (named on stderr), or a verification check failed. */
  public static final int INVALID_OR_CHECK_FAILED = 2;

  private ExitCode() {}
}
