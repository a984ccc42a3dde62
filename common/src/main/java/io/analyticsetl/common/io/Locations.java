package io.analyticsetl.common.io;

import java.nio.file.Paths;

/** Output locations: a local directory or an {@code s3://bucket/prefix}, joined with '/'. */
public final class Locations {

  private Locations() {}

  /** Makes a local root absolute (Beam's file systems want absolute paths); URIs stay as they are. */
  public static String normalizeRoot(String root) {
    if (isUri(root)) {
      return stripTrailingSlash(root);
    }
    return Paths.get(root).toAbsolutePath().normalize().toString();
  }

  public static boolean isUri(String location) {
    return location.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*");
  }

  public static String join(String root, String... parts) {
    StringBuilder joined = new StringBuilder(stripTrailingSlash(root));
    for (String part : parts) {
      if (part == null || part.isEmpty()) {
        continue;
      }
      joined.append('/').append(part.replaceAll("^/+|/+$", ""));
    }
    return joined.toString();
  }

  private static String stripTrailingSlash(String location) {
    String stripped = location;
    while (stripped.length() > 1 && stripped.endsWith("/") && !stripped.endsWith("://")) {
      stripped = stripped.substring(0, stripped.length() - 1);
    }
    return stripped;
  }
}
