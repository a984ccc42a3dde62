package io.analyticsetl.pipelines.ads;

import io.analyticsetl.common.options.EtlOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@code ads-daily} (contract section 8). */
public interface AdsOptions extends EtlOptions {

  @Description("Sources, comma-separated: meta, google_ads, tiktok, amazon_ads, internal. Default: every platform with accounts, and internal when --internalCreativesPath is set.")
  String getPlatforms();

  void setPlatforms(String value);

  @Description("Accounts as <platform>:<id>, comma-separated (e.g. tiktok:7001,google_ads:1234567890).")
  String getAccounts();

  void setAccounts(String value);

  @Description("A file with one <platform>:<id> per line, instead of --accounts.")
  String getAccountsFile();

  void setAccountsFile(String value);

  @Description("Days re-pulled by the daily cadence so restated figures converge. Default per platform: meta 28, google_ads 30, tiktok 3, amazon_ads 3.")
  Integer getLookbackDays();

  void setLookbackDays(Integer value);

  @Description("Days before the window an account catches up on: the days since its last checkpoint that no run"
      + " extracted (it was stopped for a spent quota, say) are pulled too, at most this many (0: never).")
  @Default.Integer(60)
  int getMaxCatchUpDays();

  void setMaxCatchUpDays(int value);

  @Description("daily: yesterday plus the lookback; hourly: today and yesterday refreshed; weekly: a full 28-day rebuild.")
  @Default.String("daily")
  String getCadence();

  void setCadence(String value);

  @Description("Exit 1 (after writing everything) when a data quality check fails; by default failed checks are only reported.")
  @Default.Boolean(false)
  boolean getFailOnQualityIssues();

  void setFailOnQualityIssues(boolean value);

  @Description("Meta Graph API base URL.")
  @Default.String("https://graph.facebook.com")
  String getMetaBaseUrl();

  void setMetaBaseUrl(String value);

  @Description("Meta Graph API version.")
  @Default.String("v23.0")
  String getMetaApiVersion();

  void setMetaApiVersion(String value);

  @Description("Name of the environment variable holding the Meta access token (ads_read).")
  @Default.String("META_ACCESS_TOKEN")
  String getMetaAccessTokenEnv();

  void setMetaAccessTokenEnv(String value);

  @Description("Meta action types counted as conversions (and their action_values as conversion value), comma-separated.")
  @Default.String("purchase")
  String getMetaConversionActionTypes();

  void setMetaConversionActionTypes(String value);

  @Description("Meta usage (the highest percentage in its usage headers, read on every answer) at or above which"
      + " the account's next call waits --metaUsagePauseSeconds, so the run slows down before Meta throttles it.")
  @Default.Integer(75)
  int getMetaUsagePausePercent();

  void setMetaUsagePausePercent(int value);

  @Description("Seconds the next call of an account waits once its Meta usage reaches --metaUsagePausePercent, and the least wait after a Meta throttling error.")
  @Default.Long(60)
  long getMetaUsagePauseSeconds();

  void setMetaUsagePauseSeconds(long value);

  @Description("Seconds a Meta async report may take before it is asked for again with half the days.")
  @Default.Long(900)
  long getMetaReportTimeoutSeconds();

  void setMetaReportTimeoutSeconds(long value);

  @Description("Amazon Ads API base URL (regional: advertising-api, -eu or -fe).")
  @Default.String("https://advertising-api.amazon.com")
  String getAmazonAdsBaseUrl();

  void setAmazonAdsBaseUrl(String value);

  @Description("Login with Amazon token endpoint.")
  @Default.String("https://api.amazon.com/auth/o2/token")
  String getAmazonAuthUrl();

  void setAmazonAuthUrl(String value);

  @Description("Prefix of the environment variables holding Amazon Ads credentials: <prefix>_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN.")
  @Default.String("AMAZON_ADS")
  String getAmazonAdsEnvPrefix();

  void setAmazonAdsEnvPrefix(String value);

  @Description("Attribution window of Amazon conversions and sales in days: 1, 7, 14 or 30 (purchases<N>d, sales<N>d).")
  @Default.Integer(7)
  int getAmazonAttributionDays();

  void setAmazonAttributionDays(int value);

  @Description("Seconds to wait for an Amazon report; one still generating then stops the account until the next run.")
  @Default.Long(10800)
  long getAmazonReportTimeoutSeconds();

  void setAmazonReportTimeoutSeconds(long value);

  @Description("First interval between polls of an async report, in milliseconds; it grows by half each poll, to at most a minute.")
  @Default.Long(5000)
  long getAdsReportPollMillis();

  void setAdsReportPollMillis(long value);

  @Description("TikTok API for Business base URL.")
  @Default.String("https://business-api.tiktok.com")
  String getTiktokBaseUrl();

  void setTiktokBaseUrl(String value);

  @Description("Rows per page of TikTok's integrated report, 1 to 1000 (TikTok's maximum).")
  @Default.Integer(1000)
  int getTiktokPageSize();

  void setTiktokPageSize(int value);

  @Description("Name of the environment variable holding the TikTok access token.")
  @Default.String("TIKTOK_ACCESS_TOKEN")
  String getTiktokAccessTokenEnv();

  void setTiktokAccessTokenEnv(String value);

  @Description("Google Ads API base URL.")
  @Default.String("https://googleads.googleapis.com")
  String getGoogleAdsBaseUrl();

  void setGoogleAdsBaseUrl(String value);

  @Description("Google Ads API version (Google retires one about every four months).")
  @Default.String("v21")
  String getGoogleAdsApiVersion();

  void setGoogleAdsApiVersion(String value);

  @Description("Google OAuth token endpoint.")
  @Default.String("https://oauth2.googleapis.com/token")
  String getGoogleAdsAuthUrl();

  void setGoogleAdsAuthUrl(String value);

  @Description("Prefix of the environment variables holding Google Ads credentials: <prefix>_DEVELOPER_TOKEN, _CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN.")
  @Default.String("GOOGLE_ADS")
  String getGoogleAdsEnvPrefix();

  void setGoogleAdsEnvPrefix(String value);

  @Description("How GAQL is read: search_stream (googleAds:searchStream, every row in one answer) or search (googleAds:search, pages of 10,000 rows with page tokens; a failure costs one page, not the whole answer).")
  @Default.String("search_stream")
  String getGoogleAdsMethod();

  void setGoogleAdsMethod(String value);

  @Description("Manager (MCC) customer id sent as login-customer-id, digits only.")
  String getGoogleAdsLoginCustomerId();

  void setGoogleAdsLoginCustomerId(String value);

  @Description("JSONL or CSV export of ad creatives (platform, ad_id, headline, description, call_to_action, image_url, video_url, landing_page_url, start_date, end_date).")
  String getInternalCreativesPath();

  void setInternalCreativesPath(String value);

  @Description("Retries of a throttled or failing API call, with exponential backoff and jitter.")
  @Default.Integer(5)
  int getAdsMaxRetries();

  void setAdsMaxRetries(int value);

  @Description("First retry delay in milliseconds (a platform's own hint wins when longer).")
  @Default.Long(1000)
  long getAdsRetryDelayMillis();

  void setAdsRetryDelayMillis(long value);

  @Description("Longest wait before a retry, in seconds, whatever the platform asks.")
  @Default.Long(900)
  long getAdsMaxRetryDelaySeconds();

  void setAdsMaxRetryDelaySeconds(long value);
}
