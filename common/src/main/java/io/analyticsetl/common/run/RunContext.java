package io.analyticsetl.common.run;

import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.common.deadletter.DeadLetterOutput;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.common.sink.DatasetSink;
import io.analyticsetl.common.sink.Writable;
import io.analyticsetl.common.values.DayRange;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;

/**
 * What a pipeline needs to know about the run it is part of: run id and date, the sink, and where
 * its dead letters go. Pipelines hand every dead-letter output to {@link #deadLetters} and every
 * dataset to {@link #write}; the run wires them to the one dead-letter output and the sink.
 */
public final class RunContext {

  private final String pipeline;
  private final String runId;
  private final LocalDate runDate;
  private final Instant startedAt;
  private final String outputRoot;
  private final DatasetSink sink;
  private final List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public RunContext(
      String pipeline,
      String runId,
      LocalDate runDate,
      Instant startedAt,
      String outputRoot,
      DatasetSink sink) {
    this.pipeline = pipeline;
    this.runId = runId;
    this.runDate = runDate;
    this.startedAt = startedAt;
    this.outputRoot = outputRoot;
    this.sink = sink;
  }

  public String pipeline() {
    return pipeline;
  }

  public String runId() {
    return runId;
  }

  public LocalDate runDate() {
    return runDate;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public String outputRoot() {
    return outputRoot;
  }

  public DatasetSink sink() {
    return sink;
  }

  /** Something the user should know about the run: printed on stderr and kept in the ledger. */
  public void note(String text) {
    notes.add(text);
  }

  List<String> notes() {
    return notes;
  }

  public void deadLetters(PCollection<DeadLetter> letters) {
    deadLetters.add(letters);
  }

  public void write(Dataset dataset, PCollection<Row> rows) {
    writable(dataset, rows).apply("Write_" + dataset.name(), sink.write(dataset));
  }

  /** Writes a day-partitioned dataset, replacing every day of {@code days}, empty ones included. */
  public void write(Dataset dataset, PCollection<Row> rows, DayRange days) {
    writable(dataset, rows).apply("Write_" + dataset.name(), sink.write(dataset, days));
  }

  /** As {@link #write(Dataset, PCollection, DayRange)}, for days the pipeline learns as it runs. */
  public void writeReplacingDays(Dataset dataset, PCollection<Row> rows, PCollection<LocalDate> days) {
    writable(dataset, rows).apply("Write_" + dataset.name(), sink.writeReplacingDays(dataset, days));
  }

  /** Upserts rows of a dataset and deletes the stored rows named by {@code deletions} (see {@link DatasetSink#upsert}). */
  public void upsert(Dataset dataset, PCollection<Row> rows, PCollection<Row> deletions) {
    writable(dataset, rows).apply("Write_" + dataset.name(), sink.upsert(dataset, deletions));
  }

  /** The rows the sink can store; the others are dead letters (see {@link Writable}). */
  private PCollection<Row> writable(Dataset dataset, PCollection<Row> rows) {
    PCollectionTuple checked = rows.apply("Writable_" + dataset.name(), Writable.rowsOf(dataset));
    deadLetters(checked.get(Writable.REFUSED));
    return checked.get(Writable.ROWS);
  }

  public PCollection<Row> readExisting(Pipeline pipeline, Dataset dataset) {
    return PBegin.in(pipeline).apply("ReadExisting_" + dataset.name(), sink.read(dataset));
  }

  /** The rows already in the sink for the days from {@code firstDay} on (day-partitioned datasets). */
  public PCollection<Row> readExisting(Pipeline pipeline, Dataset dataset, LocalDate firstDay) {
    return PBegin.in(pipeline).apply("ReadExisting_" + dataset.name(), sink.read(dataset, firstDay));
  }

  /** Each key's latest day already in the sink (see {@link DatasetSink#lastDays}). */
  public PCollection<KV<Long, LocalDate>> lastDays(Pipeline pipeline, Dataset dataset, String keyColumn) {
    return PBegin.in(pipeline).apply("ReadLastDays_" + dataset.name(), sink.lastDays(dataset, keyColumn));
  }

  /** Wires the collected dead letters to the dead-letter output; called once the graph is built. */
  void finishGraph(Pipeline p) {
    if (deadLetters.isEmpty()) {
      return;
    }
    PCollectionList.of(deadLetters)
        .apply("AllDeadLetters", Flatten.pCollections())
        .apply(
            "WriteDeadLetters",
            new DeadLetterOutput(outputRoot, pipeline, runDate.toString(), runId));
  }
}
