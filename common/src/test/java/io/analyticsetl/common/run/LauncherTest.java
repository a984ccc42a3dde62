package io.analyticsetl.common.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.analyticsetl.common.ledger.RunLedger;
import io.analyticsetl.common.ledger.RunSignals;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.options.EtlOptions;
import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.schema.WriteMode;
import io.analyticsetl.testkit.Parquet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {

  @TempDir Path out;

  /** A pipeline of the domain "test" with the common options; datasets only where it writes some. */
  private interface TestDefinition extends EtlPipeline<EtlOptions> {
    @Override
    default String domain() {
      return "test";
    }

    @Override
    default String summary() {
      return name();
    }

    @Override
    default List<Dataset> datasets() {
      return List.of();
    }

    @Override
    default Class<EtlOptions> optionsClass() {
      return EtlOptions.class;
    }
  }

  /** Reads three records and accounts for only {@code accounted} of them; may fail a check too. */
  private record CountingPipeline(int accounted, boolean failsACheck) implements TestDefinition {
    CountingPipeline(int accounted) {
      this(accounted, false);
    }

    @Override
    public String name() {
      return "test-counting";
    }

    @Override
    public void build(Pipeline pipeline, EtlOptions options, RunContext run) {
      PCollection<Integer> counted = pipeline.apply(Create.of(1, 2, 3)).apply(ParDo.of(new CountUpTo(accounted)));
      if (failsACheck) {
        counted.apply(ParDo.of(new FailACheck()));
      }
    }
  }

  private static final class FailACheck extends DoFn<Integer, Void> {
    @ProcessElement
    public void process(@Element Integer i) {
      RunSignals.checkFailed("record " + i + " looked wrong");
    }
  }

  /** Writes three amounts to a DECIMAL(4,2) column: 1.50 fits, 123.45 and 99.995 (100.00) do not. */
  private record OverflowingPipeline() implements TestDefinition {
    static final Dataset AMOUNTS =
        Dataset.builder("test", "amounts")
            .column("id", ColumnType.BIGINT, "")
            .decimalColumn("amount", 4, 2, false, "")
            .naturalKey("id")
            .writeMode(WriteMode.FULL_REBUILD)
            .build();

    @Override
    public String name() {
      return "test-overflowing";
    }

    @Override
    public List<Dataset> datasets() {
      return List.of(AMOUNTS);
    }

    @Override
    public void build(Pipeline pipeline, EtlOptions options, RunContext run) {
      List<Row> rows = new java.util.ArrayList<>();
      String[] amounts = {"1.50", "123.45", "99.995"};
      for (int i = 0; i < amounts.length; i++) {
        rows.add(Row.withSchema(AMOUNTS.beamSchema()).addValues((long) i, new BigDecimal(amounts[i])).build());
      }
      run.write(AMOUNTS, pipeline.apply(Create.of(rows).withRowSchema(AMOUNTS.beamSchema())));
    }
  }

  /** Takes its time, so that progress lines appear. */
  private record SlowPipeline() implements TestDefinition {
    @Override
    public String name() {
      return "test-slow";
    }

    @Override
    public void build(Pipeline pipeline, EtlOptions options, RunContext run) {
      pipeline.apply(Create.of(1)).apply(ParDo.of(new Sleep()));
    }
  }

  private static final class Sleep extends DoFn<Integer, Integer> {
    private final StageCounters stage = StageCounters.of("read_slowly");

    @ProcessElement
    public void process(@Element Integer i) throws InterruptedException {
      stage.read();
      stage.written();
      Thread.sleep(3_500);
    }
  }

  private static final class CountUpTo extends DoFn<Integer, Integer> {
    private final StageCounters stage = StageCounters.of("read_things");
    private final int limit;

    CountUpTo(int limit) {
      this.limit = limit;
    }

    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<Integer> out) {
      stage.read();
      if (i <= limit) {
        stage.written();
        out.output(i);
      }
    }
  }

  /**
   * Counts its three records, then fails on the way to writing them (after a shuffle, so that every
   * bundle of the counting stage has finished before the first failure stops the run).
   */
  private record FailingPipeline() implements TestDefinition {
    @Override
    public String name() {
      return "test-failing";
    }

    @Override
    public void build(Pipeline pipeline, EtlOptions options, RunContext run) {
      pipeline.apply(Create.of(1, 2, 3)).apply(ParDo.of(new CountUpTo(3))).apply(Reshuffle.viaRandomKey()).apply(ParDo.of(new Fail()));
    }
  }

  private static final class Fail extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer i) {
      throw new IllegalStateException("the target refused record " + i);
    }
  }

  private record Result(int code, String err) {}

  private Result launch(EtlPipeline<EtlOptions> pipeline, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new Launcher(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8))
            .launch(pipeline, args);
    return new Result(code, err.toString(StandardCharsets.UTF_8));
  }

  private RunLedger ledger() throws IOException {
    try (Stream<Path> files = Files.walk(out.resolve("_runs"))) {
      List<Path> ledgers = files.filter(p -> p.toString().endsWith(".json")).toList();
      assertThat(ledgers.size(), is(1));
      return RunLedger.fromJson(Files.readString(ledgers.get(0)));
    }
  }

  @Test
  void aBalancedRunSucceedsAndItsLedgerSaysWhy() throws IOException {
    Result result = launch(new CountingPipeline(3), "--outputRoot=" + out, "--runDate=2026-03-01",
        "--targetJdbcUrl=jdbc:postgresql://db/x?password=hunter2");
    assertThat(result.err(), result.code(), is(0));
    RunLedger ledger = ledger();
    assertThat(ledger.status(), is("SUCCEEDED"));
    assertThat(ledger.runDate(), is("2026-03-01"));
    assertThat(ledger.stages().get("read_things").read(), is(3L));
    assertThat(ledger.options().get("targetJdbcUrl"), is("jdbc:postgresql://db/x?password=<redacted>"));
    assertThat(result.err(), not(containsString("hunter2")));
  }

  @Test
  void aLedgerThatDoesNotBalanceFailsTheRun() throws IOException {
    Result result = launch(new CountingPipeline(2), "--outputRoot=" + out);
    assertThat(result.code(), is(1));
    assertThat(result.err(), containsString("does not balance: read_things: read=3 written=2"));
    RunLedger ledger = ledger();
    assertThat(ledger.status(), is("FAILED"));
    assertThat(ledger.balanced(), is(false));
  }

  @Test
  void aLedgerThatDoesNotBalanceFailsARunWhoseChecksFailedToo() throws IOException {
    Result checksOnly = launch(new CountingPipeline(3, true), "--outputRoot=" + out);
    assertThat(checksOnly.err(), checksOnly.code(), is(2));

    Result unbalanced = launch(new CountingPipeline(2, true), "--outputRoot=" + out.resolve("second"));
    assertThat(unbalanced.code(), is(1));
    assertThat(unbalanced.err(), containsString("does not balance: read_things: read=3 written=2"));
    assertThat(unbalanced.err(), containsString("record 1 looked wrong"));
  }

  @Test
  void aRowNoSinkCanStoreIsADeadLetterAndTheRestAreWritten() throws IOException {
    Result result = launch(new OverflowingPipeline(), "--outputRoot=" + out, "--runDate=2026-03-01");
    assertThat(result.err(), result.code(), is(0));
    RunLedger ledger = ledger();
    assertThat(ledger.stages().get("write_amounts").read(), is(3L));
    assertThat(ledger.stages().get("write_amounts").written(), is(1L));
    assertThat(ledger.stages().get("write_amounts").deadLettered(), is(2L));
    assertThat(Parquet.query("SELECT id::text, amount::text FROM read_parquet('" + out + "/test/amounts/*.parquet')"),
        is(List.of(List.of("0", "1.50"))));
    String letters;
    try (Stream<Path> files = Files.list(out.resolve("_dead_letter/test-overflowing/dt=2026-03-01"))) {
      letters = Files.readString(files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow());
    }
    assertThat(letters, containsString("cannot be written: amount 123.45 does not fit DECIMAL(4,2): at most 2 digits before the point"));
    assertThat(letters, containsString("cannot be written: amount 100.00 does not fit DECIMAL(4,2)"));
  }

  @Test
  void aFailedRunsLedgerHasTheCountsOfTheStagesThatRan() throws IOException {
    Result result = launch(new FailingPipeline(), "--outputRoot=" + out);
    assertThat(result.err(), result.code(), is(1));
    assertThat(result.err(), containsString("the target refused record"));
    RunLedger ledger = ledger();
    assertThat(ledger.status(), is(RunLedger.FAILED));
    assertThat(ledger.stages().get("read_things").read(), is(3L));
  }

  @Test
  void locationsAndUrlsOfTheWrongKindAreRefusedBeforeAnythingStarts() {
    String[][] refused = {
      {"outputRoot", "--outputRoot=ftp://files.example.com/etl"},
      {"targetJdbcUrl", "--outputRoot=" + out, "--sink=jdbc", "--targetJdbcUrl=postgres://db:5432/analytics"},
      {"tempLocation", "--outputRoot=" + out, "--sink=bigquery", "--bigQueryProject=acme-analytics", "--tempLocation=" + out},
    };
    for (String[] args : refused) {
      Result result = launch(new CountingPipeline(3), java.util.Arrays.copyOfRange(args, 1, args.length));
      assertThat(result.err(), result.code(), is(2));
      assertThat(result.err(), containsString("invalid option --" + args[0]));
    }
    assertThat("nothing started, no ledger", Files.exists(out.resolve("_runs")), is(false));
  }

  @Test
  void anOptionsValueMayBeTheNextArgument() {
    String[] joined = Launcher.withJoinedValues(EtlOptions.class,
        new String[] {"--runDate", "2026-03-01", "--verbose", "--outputRoot=/tmp/x", "--sink", "parquet", "--noSuchOption", "v"});
    assertThat(List.of(joined),
        is(List.of("--runDate=2026-03-01", "--verbose", "--outputRoot=/tmp/x", "--sink=parquet", "--noSuchOption", "v")));

    Result result = launch(new CountingPipeline(3), "--outputRoot", out.toString(), "--runDate", "2026-03-01");
    assertThat(result.err(), result.code(), is(0));
    assertThat(Files.isDirectory(out.resolve("_runs")), is(true));
  }

  @Test
  void longRunsPrintProgressLines() {
    Result result = launch(new SlowPipeline(), "--outputRoot=" + out, "--progressIntervalSeconds=1");
    assertThat(result.err(), result.code(), is(0));
    assertThat(result.err(), containsString("test-slow: running "));
  }

  @Test
  void optionsOfSinksNotInThisBuildAreRefusedBeforeAnythingStarts() {
    Result result = launch(new CountingPipeline(3), "--outputRoot=" + out, "--sink=oracle");
    assertThat(result.code(), is(2));
    assertThat(result.err(), containsString("--sink"));
    assertThat(Files.exists(out.resolve("_runs")), is(false));
  }
}
