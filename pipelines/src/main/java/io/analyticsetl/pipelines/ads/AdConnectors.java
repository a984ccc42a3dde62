package io.analyticsetl.pipelines.ads;

import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.secrets.Secret;
import java.time.Duration;

/** The connector of each platform, configured from the options; credentials from the environment. */
final class AdConnectors {

  private AdConnectors() {}

  static AdConnector of(Platform platform, AdsOptions options) {
    AdsHttp http =
        new AdsHttp(platform, options.getAdsMaxRetries(), Duration.ofMillis(options.getAdsRetryDelayMillis()),
            Duration.ofSeconds(options.getAdsMaxRetryDelaySeconds()));
    return switch (platform) {
      case TIKTOK -> new TikTokConnector(options.getTiktokBaseUrl(), secret("tiktokAccessTokenEnv", options.getTiktokAccessTokenEnv()), http);
      case GOOGLE_ADS -> {
        String prefix = options.getGoogleAdsEnvPrefix();
        yield new GoogleAdsConnector(
            options.getGoogleAdsBaseUrl(), options.getGoogleAdsAuthUrl(),
            secret("googleAdsEnvPrefix", prefix + "_DEVELOPER_TOKEN"), secret("googleAdsEnvPrefix", prefix + "_CLIENT_ID"),
            secret("googleAdsEnvPrefix", prefix + "_CLIENT_SECRET"), secret("googleAdsEnvPrefix", prefix + "_REFRESH_TOKEN"),
            options.getGoogleAdsLoginCustomerId(), http);
      }
      default -> throw new InvalidOptionException(
          "platforms", platform.option() + " has no connector in this version (tiktok and google_ads do; see README)");
    };
  }

  private static Secret secret(String option, String variable) {
    Secret secret = Secret.fromEnvironment(variable);
    if (secret.isEmpty()) {
      throw new InvalidOptionException(option, "the environment variable " + variable + " is not set");
    }
    return secret;
  }
}
