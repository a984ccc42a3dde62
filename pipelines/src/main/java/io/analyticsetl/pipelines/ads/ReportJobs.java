package io.analyticsetl.pipelines.ads;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * The async report jobs a slice has started, kept beside its checkpoint in {@code _jobs/<from>_<to>}
 * (one file per report's days, holding the platform's job id). A rerun of the day polls a job an
 * earlier run started, whether still generating or finished but never downloaded, instead of
 * asking the platform to produce the same report again; a slice still changing keeps its jobs per
 * extraction ({@link #ofExtraction}).
 */
final class ReportJobs {

  /** Kept instead of a job id when the platform could not produce the days at once. */
  static final String SPLIT = "split";

  private final String folder;

  private ReportJobs(String folder) {
    this.folder = folder;
  }

  /** The jobs of the slice whose checkpoint is {@code checkpointPath}. */
  static ReportJobs besideCheckpoint(String checkpointPath) {
    return new ReportJobs(checkpointPath.substring(0, checkpointPath.lastIndexOf('/')) + "/_jobs");
  }

  /**
   * The jobs of one extraction of a slice still changing (one reaching the run date): a later run of
   * the day wants the figures as they are then, not the report an earlier run's job produced.
   */
  ReportJobs ofExtraction(Instant extractedAt) {
    return new ReportJobs(folder + "/extracted-" + extractedAt.toEpochMilli());
  }

  /** Drops every job kept here: the slice they were for is checkpointed. */
  void forgetAll() {
    try {
      List<ResourceId> files = FileSystems.match(folder + "/*", EmptyMatchTreatment.ALLOW).metadata().stream()
          .map(MatchResult.Metadata::resourceId).toList();
      FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot drop the report jobs kept in " + folder, e);
    }
  }

  Optional<String> remembered(LocalDate from, LocalDate to) {
    try {
      String path = path(from, to);
      if (FileSystems.match(path, EmptyMatchTreatment.ALLOW).metadata().isEmpty()) {
        return Optional.empty();
      }
      try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)))) {
        String id = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the report job kept in " + folder, e);
    }
  }

  void remember(LocalDate from, LocalDate to, String jobId) {
    try (WritableByteChannel channel = FileSystems.create(FileSystems.matchNewResource(path(from, to), false), "text/plain")) {
      channel.write(ByteBuffer.wrap(jobId.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep report job " + jobId + " in " + folder, e);
    }
  }

  /** The job is of no more use (it failed, or the platform no longer knows it). */
  void forget(LocalDate from, LocalDate to) {
    try {
      ResourceId file = FileSystems.matchNewResource(path(from, to), false);
      FileSystems.delete(List.of(file), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot drop the report job kept in " + folder, e);
    }
  }

  private String path(LocalDate from, LocalDate to) {
    return folder + "/" + from + "_" + to;
  }
}
