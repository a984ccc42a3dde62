package io.analyticsetl.pipelines.ads;

import java.util.Locale;
import java.util.Optional;

/** The sources of ad data: four ad platforms and the internal creatives export. */
public enum Platform {
  META("meta", 28),
  GOOGLE_ADS("google_ads", 30),
  TIKTOK("tiktok", 3),
  AMAZON_ADS("amazon_ads", 3),
  INTERNAL("internal", 0);

  private final String option;
  private final int defaultLookbackDays;

  Platform(String option, int defaultLookbackDays) {
    this.option = option;
    this.defaultLookbackDays = defaultLookbackDays;
  }

  /** The name used in options (--platforms, --accounts). */
  public String option() {
    return option;
  }

  /** Days re-pulled each daily run, so that restated figures converge (reference section 1.5 ff.). */
  public int defaultLookbackDays() {
    return defaultLookbackDays;
  }

  public static Optional<Platform> fromOption(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (Platform platform : values()) {
      if (platform.option.equals(wanted)) {
        return Optional.of(platform);
      }
    }
    return Optional.empty();
  }
}
