package io.analyticsetl.pipelines.ads;

import io.analyticsetl.common.options.InvalidOptionException;
import io.analyticsetl.common.secrets.Secret;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The connector of each platform, configured from the options; credentials from the environment. */
final class AdConnectors {

  private AdConnectors() {}

  static AdConnector of(Platform platform, AdsOptions options) {
    AdsHttp http =
        new AdsHttp(platform, options.getAdsMaxRetries(), Duration.ofMillis(options.getAdsRetryDelayMillis()),
            Duration.ofSeconds(options.getAdsMaxRetryDelaySeconds()));
    return switch (platform) {
      case TIKTOK -> {
        if (options.getTiktokPageSize() < 1 || options.getTiktokPageSize() > TikTokConnector.MAX_PAGE_SIZE) {
          throw new InvalidOptionException("tiktokPageSize", "must be 1 to " + TikTokConnector.MAX_PAGE_SIZE + ", got " + options.getTiktokPageSize());
        }
        yield new TikTokConnector(options.getTiktokBaseUrl(), secret("tiktokAccessTokenEnv", options.getTiktokAccessTokenEnv()), http,
            options.getTiktokPageSize());
      }
      case GOOGLE_ADS -> {
        String prefix = options.getGoogleAdsEnvPrefix();
        OAuthRefresh oauth =
            new OAuthRefresh(options.getGoogleAdsAuthUrl(), secret("googleAdsEnvPrefix", prefix + "_CLIENT_ID"),
                secret("googleAdsEnvPrefix", prefix + "_CLIENT_SECRET"), secret("googleAdsEnvPrefix", prefix + "_REFRESH_TOKEN"),
                "check the variables named by --googleAdsEnvPrefix");
        yield new GoogleAdsConnector(options.getGoogleAdsBaseUrl(), options.getGoogleAdsApiVersion(), GoogleAdsConnector.Method.parse(options.getGoogleAdsMethod()), oauth,
            secret("googleAdsEnvPrefix", prefix + "_DEVELOPER_TOKEN"), options.getGoogleAdsLoginCustomerId(), http);
      }
      case META -> {
        if (options.getMetaUsagePausePercent() < 1 || options.getMetaUsagePausePercent() > 100) {
          throw new InvalidOptionException("metaUsagePausePercent", "must be 1 to 100, got " + options.getMetaUsagePausePercent());
        }
        if (options.getMetaUsagePauseSeconds() < 0) {
          throw new InvalidOptionException("metaUsagePauseSeconds", "must not be negative, got " + options.getMetaUsagePauseSeconds());
        }
        yield new MetaConnector(
            options.getMetaBaseUrl(), options.getMetaApiVersion(), secret("metaAccessTokenEnv", options.getMetaAccessTokenEnv()),
            Arrays.stream(options.getMetaConversionActionTypes().split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList(),
            new ReportPolling(Duration.ofMillis(options.getAdsReportPollMillis()), Duration.ofSeconds(options.getMetaReportTimeoutSeconds())),
            Duration.ofSeconds(options.getAdsMaxRetryDelaySeconds()),
            new MetaConnector.Pacing(options.getMetaUsagePausePercent(), Duration.ofSeconds(options.getMetaUsagePauseSeconds())), http);
      }
      case AMAZON_ADS -> {
        if (!List.of(1, 7, 14, 30).contains(options.getAmazonAttributionDays())) {
          throw new InvalidOptionException("amazonAttributionDays", "must be 1, 7, 14 or 30, got " + options.getAmazonAttributionDays());
        }
        String prefix = options.getAmazonAdsEnvPrefix();
        OAuthRefresh oauth =
            new OAuthRefresh(options.getAmazonAuthUrl(), secret("amazonAdsEnvPrefix", prefix + "_CLIENT_ID"),
                secret("amazonAdsEnvPrefix", prefix + "_CLIENT_SECRET"), secret("amazonAdsEnvPrefix", prefix + "_REFRESH_TOKEN"),
                "check the variables named by --amazonAdsEnvPrefix");
        yield new AmazonAdsConnector(options.getAmazonAdsBaseUrl(), oauth, options.getAmazonAttributionDays(),
            new ReportPolling(Duration.ofMillis(options.getAdsReportPollMillis()), Duration.ofSeconds(options.getAmazonReportTimeoutSeconds())),
            http);
      }
      case INTERNAL -> throw new InvalidOptionException("accounts", "internal has no accounts: it is read from --internalCreativesPath");
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
