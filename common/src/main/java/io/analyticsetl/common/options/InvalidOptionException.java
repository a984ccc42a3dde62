package io.analyticsetl.common.options;

/** An option value that cannot be used; the run stops before it starts, with exit status 2. */
public final class InvalidOptionException extends RuntimeException {

  private final String option;

  public InvalidOptionException(String option, String problem) {
    super(problem);
    this.option = option;
  }

  /** The option's name without dashes, e.g. {@code runDate}. */
  public String option() {
    return option;
  }

  /** The message shown to the user: {@code --runDate: must be YYYY-MM-DD, got "x"}. */
  public String describe() {
    return "--" + option + ": " + getMessage();
  }
}
