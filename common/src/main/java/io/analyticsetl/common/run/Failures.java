package io.analyticsetl.common.run;

import io.analyticsetl.common.jdbc.JdbcEndpoint;
import io.analyticsetl.common.options.InvalidOptionException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.util.UserCodeException;

/** Turns a failure into the one line a user reads on stderr. */
public final class Failures {

  private Failures() {}

  /**
   * The most useful message in the cause chain: one of ours (already written for users) if there
   * is one, else the innermost cause with its type.
   */
  public static String oneLine(Throwable failure) {
    Throwable root = failure;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (isUserFacing(t)) {
        return flatten(t.getMessage());
      }
      root = t;
    }
    Throwable shown = root;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (!isWrapper(t) && t.getMessage() != null && t.getCause() == null) {
        shown = t;
      }
    }
    String message = shown.getMessage();
    String type = shown.getClass().getSimpleName();
    return flatten(message == null ? type : type + ": " + message);
  }

  public static String stackTrace(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  private static boolean isUserFacing(Throwable t) {
    return t instanceof EtlFailure
        || t instanceof JdbcEndpoint.UnreachableException
        || t instanceof InvalidOptionException;
  }

  private static boolean isWrapper(Throwable t) {
    return t instanceof Pipeline.PipelineExecutionException
        || t instanceof UserCodeException
        || t instanceof InvocationTargetException;
  }

  private static String flatten(String message) {
    return message == null ? "unknown failure" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
