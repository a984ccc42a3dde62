package io.analyticsetl.common.secrets;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void hidesSecretOptionsAndPasswordsInUrls() {
    assertThat(Redaction.optionValue("targetJdbcPassword", "s3cret"), is("<redacted>"));
    assertThat(
        Redaction.optionValue("awsCredentialsProvider", "{\"secretAccessKey\":\"x\"}"), is("<redacted>"));
    assertThat(Redaction.optionValue("apiToken", "abc"), is("<redacted>"));
    // Options naming where a secret lives hold no secret.
    assertThat(Redaction.optionValue("sourceJdbcPasswordEnv", "PG_PASSWORD"), is("PG_PASSWORD"));
    assertThat(Redaction.optionValue("ascPrivateKeyPathEnv", "ASC_P8_PATH"), is("ASC_P8_PATH"));
    assertThat(
        Redaction.optionValue("sourceJdbcUrl", "jdbc:postgresql://db/shop?user=etl&password=hunter2&ssl=true"),
        is("jdbc:postgresql://db/shop?user=etl&password=<redacted>&ssl=true"));
    assertThat(Redaction.url("https://user:pa55@host/path"), is("https://user:<redacted>@host/path"));
  }

  @Test
  void secretsNeverPrint() {
    Secret secret = Secret.of("hunter2");
    assertThat(secret.toString(), is("<redacted>"));
    assertThat("" + secret, is("<redacted>"));
    assertThat(secret.reveal(), is("hunter2"));
  }
}
