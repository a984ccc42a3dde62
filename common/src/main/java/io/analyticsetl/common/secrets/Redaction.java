package io.analyticsetl.common.secrets;

import java.util.regex.Pattern;

/** Hides secret values in option lists and URLs before they are logged or written to a ledger. */
public final class Redaction {

  public static final String REDACTED = "<redacted>";
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|secret|token|credential|apikey|privatekey).*");
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
  private static final Pattern URL_USER_INFO = Pattern.compile("(://[^/:@]+):[^/@]+@");

  private Redaction() {}

  /**
   * The value to show for an option. Options that name an environment variable or a file ({@code
   * ...Env}, {@code ...Path}, {@code ...File}) hold no secret and are shown as they are.
   */
  public static String optionValue(String name, String value) {
    if (value == null) {
      return null;
    }
    boolean namesALocation = name.endsWith("Env") || name.endsWith("Path") || name.endsWith("File");
    if (!namesALocation && SECRET_NAME.matcher(name).matches()) {
      return REDACTED;
    }
    return url(value);
  }

  /** Removes passwords embedded in a URL ({@code user:pass@host}, {@code ?password=...}). */
  public static String url(String value) {
    String withoutQueryPassword = URL_PASSWORD.matcher(value).replaceAll("$1" + REDACTED);
    return URL_USER_INFO.matcher(withoutQueryPassword).replaceAll("$1:" + REDACTED + "@");
  }
}
