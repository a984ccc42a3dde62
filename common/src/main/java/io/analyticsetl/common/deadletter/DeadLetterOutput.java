package io.analyticsetl.common.deadletter;

import io.analyticsetl.common.io.Locations;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes a run's dead letters as JSON lines to {@code
 * <outputRoot>/_dead_letter/<pipeline>/dt=<runDate>/<runId>.jsonl}, one file per run so a rerun
 * keeps the earlier run's evidence.
 */
public final class DeadLetterOutput extends PTransform<PCollection<DeadLetter>, PDone> {

  private final String outputRoot;
  private final String pipeline;
  private final String runDate;
  private final String runId;

  public DeadLetterOutput(String outputRoot, String pipeline, String runDate, String runId) {
    this.outputRoot = outputRoot;
    this.pipeline = pipeline;
    this.runDate = runDate;
    this.runId = runId;
  }

  public static String directory(String outputRoot, String pipeline, String runDate) {
    return Locations.join(outputRoot, "_dead_letter", pipeline, "dt=" + runDate);
  }

  @Override
  public PDone expand(PCollection<DeadLetter> letters) {
    String name = pipeline;
    return letters
        .apply("ToJsonLines", MapElements.into(TypeDescriptors.strings()).via(l -> l.toJson(name)))
        .apply(
            "WriteJsonLines",
            TextIO.write()
                .to(Locations.join(directory(outputRoot, pipeline, runDate), runId))
                .withSuffix(".jsonl")
                .withoutSharding());
  }
}
