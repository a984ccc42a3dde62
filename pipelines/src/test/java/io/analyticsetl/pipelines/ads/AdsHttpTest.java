package io.analyticsetl.pipelines.ads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AdsHttpTest {

  @Test
  void aSlowDownIsWaitedOutAtLeastAsLongAsThePlatformAsksDespiteTheJitter() throws Exception {
    AdsHttp.resetBreakers();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger calls = new AtomicInteger();
    server.createContext("/", exchange -> {
      boolean throttled = calls.incrementAndGet() <= 3;
      exchange.getResponseHeaders().add("Retry-After", "1");
      exchange.sendResponseHeaders(throttled ? 429 : 200, -1);
      exchange.close();
    });
    server.start();
    try {
      AdsHttp http = new AdsHttp(Platform.AMAZON_ADS, 5, Duration.ofMillis(5), Duration.ofSeconds(30));
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/report");
      long started = System.nanoTime();
      HttpResponse<byte[]> response =
          http.send(
              () -> HttpRequest.newBuilder(uri).GET().build(),
              answer -> answer.statusCode() == 429
                  ? new AdsApiException(AdsApiException.Kind.SLOW_DOWN, "429", Duration.ofSeconds(1))
                  : null);
      long waitedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
      assertThat(response.statusCode(), is(200));
      assertThat(calls.get(), is(4));
      assertThat("three answers asked for a second each", waitedMillis, greaterThanOrEqualTo(3_000L));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theDelayGivenToTheRetryPolicyLeavesRoomForItsJitterAndStillGrows() {
    AdsHttp http = new AdsHttp(Platform.META, 5, Duration.ofSeconds(1), Duration.ofSeconds(30));
    assertThat(http.delayFor(Duration.ofSeconds(3), 1), is(Duration.ofSeconds(4)));
    assertThat("the backoff, when longer than the hint", http.delayFor(Duration.ofSeconds(3), 4), is(Duration.ofNanos(10_666_666_667L)));
    assertThat("a zero hint is the backoff", http.delayFor(Duration.ZERO, 1), is(Duration.ofNanos(1_333_333_334L)));
    assertThat("capped at the longest delay", http.delayFor(Duration.ofMinutes(5), 1), is(Duration.ofSeconds(40)));
    assertThat("capped at the longest delay", http.delayFor(Duration.ofSeconds(3), 30), is(Duration.ofSeconds(40)));
    assertThat("no hint: the backoff", http.delayFor(null, 1), is(Duration.ofMillis(-1)));
  }
}
