package io.analyticsetl.pipelines.appstore;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.analyticsetl.common.secrets.Secret;
import io.analyticsetl.testkit.appstore.AscKey;
import io.analyticsetl.testkit.appstore.FakeAppStoreConnect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's token against the fake, whose clock moves with the client's. */
class AppStoreConnectClientTest {

  @TempDir Path keys;

  /** The real clock, moved ahead as a test says. */
  private static final class MovingClock extends Clock {
    private volatile Duration ahead = Duration.ZERO;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(ahead);
    }
  }

  @Test
  void theTokenLivesAtMostTwentyMinutesAndIsRenewedBeforeItExpires() throws Exception {
    AscKey key = AscKey.generate(keys);
    MovingClock clock = new MovingClock();
    try (FakeAppStoreConnect asc =
        FakeAppStoreConnect.start(key.issuerId(), key.keyId(), key.publicKey(), Map.of(1L, "Sky Runner"), LocalDate.of(2026, 4, 20), 1)) {
      AppStoreConnectClient client =
          new AppStoreConnectClient(asc.baseUrl(), key.issuerId(), key.keyId(), Secret.of(Files.readString(key.p8File())), "the key",
              0, 10, clock);
      client.get("/v1/apps/1");

      moveOn(Duration.ofMinutes(10), clock, asc); // 10 minutes on, 9 left: the same token
      client.get("/v1/apps/1");
      assertThat(asc.bearerTokensSeen().size(), is(1));

      moveOn(Duration.ofMinutes(15), clock, asc); // 15 minutes on, 4 left: renewed first, and the fake takes it
      client.get("/v1/apps/1");
      assertThat(asc.bearerTokensSeen().size(), is(2));

      // A token the fake's clock has passed the expiry of is refused: renewing is what kept the client in.
      asc.moveClockAhead(Duration.ofMinutes(20));
      AppStoreConnectClient stale =
          new AppStoreConnectClient(asc.baseUrl(), key.issuerId(), key.keyId(), Secret.of(Files.readString(key.p8File())), "the key",
              0, 10, Clock.systemUTC());
      AppStoreConnectClient.ApiException refused = assertThrows(AppStoreConnectClient.ApiException.class, () -> stale.get("/v1/apps/1"));
      assertThat(refused.status(), is(401));
      assertThat(refused.getMessage(), containsString("check the key"));
    }
  }

  private static void moveOn(Duration ahead, MovingClock clock, FakeAppStoreConnect asc) {
    clock.ahead = ahead;
    asc.moveClockAhead(ahead);
  }
}
