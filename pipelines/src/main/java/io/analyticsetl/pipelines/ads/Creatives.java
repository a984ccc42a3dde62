package io.analyticsetl.pipelines.ads;

import com.fasterxml.jackson.databind.JsonNode;
import io.analyticsetl.common.json.Json;
import io.analyticsetl.common.ledger.StageCounters;
import io.analyticsetl.common.deadletter.DeadLetter;
import io.analyticsetl.transforms.csv.HeaderedCsv;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/** The internal export of ad creatives, JSONL or CSV (by extension), keyed by platform and ad id. */
final class Creatives {

  static final List<String> TEXT_FIELDS =
      List.of("headline", "description", "call_to_action", "image_url", "video_url", "landing_page_url");

  static final Schema SCHEMA =
      Schema.builder()
          .addNullableField("platform", FieldType.STRING)
          .addNullableField("ad_id", FieldType.STRING)
          .addNullableField("headline", FieldType.STRING)
          .addNullableField("description", FieldType.STRING)
          .addNullableField("call_to_action", FieldType.STRING)
          .addNullableField("image_url", FieldType.STRING)
          .addNullableField("video_url", FieldType.STRING)
          .addNullableField("landing_page_url", FieldType.STRING)
          .addNullableField("start_date", FieldType.logicalType(SqlTypes.DATE))
          .addNullableField("end_date", FieldType.logicalType(SqlTypes.DATE))
          .build();

  static final TupleTag<Row> ROWS = new TupleTag<>() {};
  static final TupleTag<DeadLetter> UNPARSEABLE = new TupleTag<>() {};

  private Creatives() {}

  /** Reads the export: one row per creative; a line that cannot be read is a dead letter. */
  static final class Read extends DoFn<String, Row> {
    private final StageCounters stage = StageCounters.of("parse_internal_creatives");

    @ProcessElement
    public void process(@Element String path, MultiOutputReceiver out) throws IOException {
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false))), StandardCharsets.UTF_8))) {
        if (path.toLowerCase(Locale.ROOT).endsWith(".csv")) {
          String text = reader.lines().collect(Collectors.joining("\n"));
          HeaderedCsv.read(text, CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).build(), header -> new HeaderedCsv.Records() {
            @Override
            public void record(CSVRecord record, String line) {
              emit(path, line, record.toMap(), out);
            }

            @Override
            public void malformed(String line, String reason) {
              stage.read();
              stage.deadLettered();
              out.get(UNPARSEABLE).output(DeadLetter.of(stage.stage(), path, line, reason));
            }
          });
        } else {
          for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isBlank()) {
              continue;
            }
            Map<String, String> fields = new java.util.HashMap<>();
            try {
              JsonNode node = Json.MAPPER.readTree(line);
              node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
            } catch (IOException e) {
              stage.read();
              stage.deadLettered();
              out.get(UNPARSEABLE).output(DeadLetter.of(stage.stage(), path, line, "not JSON: " + e.getMessage()));
              continue;
            }
            emit(path, line, fields, out);
          }
        }
      }
    }

    private void emit(String path, String line, Map<String, String> fields, MultiOutputReceiver out) {
      stage.read();
      try {
        Row.Builder row = Row.withSchema(SCHEMA);
        String platform = blankToNull(fields.get("platform"));
        row.addValue(platform == null ? null : platform.trim().toUpperCase(Locale.ROOT));
        row.addValue(blankToNull(fields.get("ad_id")));
        for (String field : TEXT_FIELDS) {
          row.addValue(blankToNull(fields.get(field)));
        }
        row.addValue(date(fields.get("start_date")));
        row.addValue(date(fields.get("end_date")));
        stage.written();
        out.get(ROWS).output(row.build());
      } catch (RuntimeException e) {
        stage.deadLettered();
        out.get(UNPARSEABLE).output(DeadLetter.of(stage.stage(), path, line, e.getMessage()));
      }
    }

    private static LocalDate date(String text) {
      String value = blankToNull(text);
      return value == null ? null : LocalDate.parse(value.trim());
    }

    private static String blankToNull(String text) {
      return text == null || text.isBlank() ? null : text;
    }
  }
}
