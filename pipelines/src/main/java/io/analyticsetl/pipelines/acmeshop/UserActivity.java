package io.analyticsetl.pipelines.acmeshop;

import static io.analyticsetl.pipelines.acmeshop.AcmeshopDatasets.USER_ACTIVITY_DAILY;

import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.values.DayRange;
import io.analyticsetl.common.values.Days;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;

/**
 * user_activity_daily from users and their sessions. Per user: new on the creation day; counted in
 * total from the creation day until the day before deletion; active on each day with a session;
 * churned on day D when the latest session on or before D started on D - 30. Sessions must reach
 * back 30 days before the first day computed.
 */
final class UserActivity extends PTransform<PCollection<Row>, PCollection<Row>> {

  static final int CHURN_DAYS = 30;
  /** Why a session is left out: its user is a dead letter. */
  static final String OF_INVALID_USER = "user is a dead letter";
  static final String UNKNOWN_COUNTRY = "ZZ";
  private static final List<String> METRICS = List.of("new", "active", "churned", "total");

  private final PCollection<Row> sessions;
  private final DayRange days;

  UserActivity(PCollection<Row> sessions, DayRange days) {
    this.sessions = sessions;
    this.days = days;
  }

  static String country(Row user) {
    return user.getString("country") == null ? UNKNOWN_COUNTRY : user.getString("country");
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> users) {
    TupleTag<Row> userTag = new TupleTag<>();
    TupleTag<Row> sessionTag = new TupleTag<>();
    KvCoder<List<String>, Long> counted = KvCoder.of(ListCoder.of(StringUtf8Coder.of()), VarLongCoder.of());
    return KeyedPCollectionTuple.of(
            userTag,
            users
                .apply("KeyUsers", WithKeys.of((Row user) -> user.getInt64("user_id")))
                .setCoder(KvCoder.of(VarLongCoder.of(), SchemaCoder.of(users.getSchema()))))
        .and(
            sessionTag,
            sessions
                .apply("KeySessions", WithKeys.of((Row session) -> session.getInt64("user_id")))
                .setCoder(KvCoder.of(VarLongCoder.of(), SchemaCoder.of(sessions.getSchema()))))
        .apply("JoinSessions", CoGroupByKey.create())
        .apply("UserDays", ParDo.of(new UserDays(userTag, sessionTag, days)))
        .setCoder(counted)
        .apply("SumPerDayCountryMetric", Sum.longsPerKey())
        .apply("KeyByDayCountry", ParDo.of(new KeyByDayCountry()))
        .setCoder(
            KvCoder.of(
                ListCoder.of(StringUtf8Coder.of()), KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply("GroupByDayCountry", GroupByKey.create())
        .apply("ToRows", ParDo.of(new ToRows()))
        .setRowSchema(USER_ACTIVITY_DAILY.beamSchema());
  }

  /** The (day, country, metric) counts one user contributes. */
  private static final class UserDays extends DoFn<KV<Long, CoGbkResult>, KV<List<String>, Long>> {
    private final TupleTag<Row> userTag;
    private final TupleTag<Row> sessionTag;
    private final DayRange days;

    private final StageCounters stage = StageCounters.of("sessions_by_user");

    UserDays(TupleTag<Row> userTag, TupleTag<Row> sessionTag, DayRange days) {
      this.userTag = userTag;
      this.sessionTag = sessionTag;
      this.days = days;
    }

    @ProcessElement
    public void process(@Element KV<Long, CoGbkResult> group, OutputReceiver<KV<List<String>, Long>> out) {
      Row user = group.getValue().getOnly(userTag, null);
      if (user == null) {
        // Sessions of unknown users were dead-lettered when read; those of a user who is a dead letter
        // (a malformed country, say) are counted out here.
        group.getValue().getAll(sessionTag).forEach(session -> {
          stage.read();
          stage.filtered(OF_INVALID_USER);
        });
        return;
      }
      String country = country(user);
      LocalDate created = Days.utcDay(user.getLogicalTypeValue("created_at", Instant.class));
      Instant deletedAt = user.getLogicalTypeValue("deleted_at", Instant.class);
      LocalDate lastAlive = deletedAt == null ? days.last() : Days.utcDay(deletedAt).minusDays(1);
      if (days.contains(created)) {
        out.output(count(created, country, "new"));
      }
      LocalDate from = created.isAfter(days.first()) ? created : days.first();
      LocalDate to = lastAlive.isBefore(days.last()) ? lastAlive : days.last();
      for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
        out.output(count(day, country, "total"));
      }

      TreeSet<LocalDate> sessionDays = new TreeSet<>();
      for (Row session : group.getValue().getAll(sessionTag)) {
        stage.read();
        stage.written();
        sessionDays.add(Days.utcDay(session.getLogicalTypeValue("started_at", Instant.class)));
      }
      for (LocalDate day : sessionDays) {
        if (days.contains(day)) {
          out.output(count(day, country, "active"));
        }
        LocalDate churnDay = day.plusDays(CHURN_DAYS);
        LocalDate nextSession = sessionDays.higher(day);
        if (days.contains(churnDay) && (nextSession == null || nextSession.isAfter(churnDay))) {
          out.output(count(churnDay, country, "churned"));
        }
      }
    }

    private static KV<List<String>, Long> count(LocalDate day, String country, String metric) {
      return KV.of(List.of(day.toString(), country, metric), 1L);
    }
  }

  private static final class KeyByDayCountry
      extends DoFn<KV<List<String>, Long>, KV<List<String>, KV<String, Long>>> {
    @ProcessElement
    public void process(
        @Element KV<List<String>, Long> count, OutputReceiver<KV<List<String>, KV<String, Long>>> out) {
      List<String> key = count.getKey();
      out.output(KV.of(List.copyOf(key.subList(0, 2)), KV.of(key.get(2), count.getValue())));
    }
  }

  private static final class ToRows extends DoFn<KV<List<String>, Iterable<KV<String, Long>>>, Row> {
    @ProcessElement
    public void process(@Element KV<List<String>, Iterable<KV<String, Long>>> group, OutputReceiver<Row> out) {
      long[] counts = new long[METRICS.size()];
      for (KV<String, Long> metric : group.getValue()) {
        counts[METRICS.indexOf(metric.getKey())] += metric.getValue();
      }
      if (counts[3] == 0) {
        return; // the contract keeps (day, country) rows with total_users > 0 only
      }
      out.output(
          Row.withSchema(USER_ACTIVITY_DAILY.beamSchema())
              .addValues(
                  LocalDate.parse(group.getKey().get(0)), group.getKey().get(1),
                  counts[0], counts[1], counts[2], counts[3])
              .build());
    }
  }
}
