package io.analyticsetl.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;

/** What a run left under its output root: Parquet files, the ledger, dead letters. */
public final class RunOutputs {

  private RunOutputs() {}

  public static List<Path> parquetFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve("ecommerce"))) {
      return files.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
    }
  }

  public static JsonNode onlyLedger(Path root) {
    try (Stream<Path> files = Files.walk(root.resolve("_runs"))) {
      List<Path> ledgers = files.filter(p -> p.toString().endsWith(".json")).toList();
      assertThat(ledgers, hasSize(1));
      return Json.MAPPER.readTree(ledgers.get(0).toFile());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The ledger files of a pipeline, oldest first. */
  public static List<Path> ledgerFiles(Path root, String pipeline) {
    try (Stream<Path> files = Files.list(root.resolve("_runs").resolve(pipeline))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public static List<JsonNode> ledgers(Path root, String pipeline) {
    return ledgerFiles(root, pipeline).stream()
        .map(
            f -> {
              try {
                return Json.MAPPER.readTree(f.toFile());
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            })
        .toList();
  }

  public static List<JsonNode> deadLetters(Path root, String pipeline, LocalDate runDate) {
    Path dir = root.resolve("_dead_letter").resolve(pipeline).resolve("dt=" + runDate);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .flatMap(
              f -> {
                try {
                  return Files.readAllLines(f).stream();
                } catch (IOException e) {
                  throw new AssertionError(e);
                }
              })
          .filter(line -> !line.isBlank())
          .map(
              line -> {
                try {
                  return Json.MAPPER.readTree(line);
                } catch (IOException e) {
                  throw new AssertionError(e);
                }
              })
          .toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
