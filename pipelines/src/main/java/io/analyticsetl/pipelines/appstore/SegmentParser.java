package io.analyticsetl.pipelines.appstore;

import io.analyticsetl.common.schema.Column;
import io.analyticsetl.common.schema.ColumnType;
import io.analyticsetl.common.schema.Dataset;
import io.analyticsetl.transforms.csv.HeaderedCsv;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Parses one report segment (already gunzipped) into curated rows, binding columns by header name.
 * The delimiter is sniffed from the header (Apple's files are tab-separated, some are not); CRLF
 * and quoted empty fields are handled by the CSV library. A header-only file yields no rows.
 */
final class SegmentParser {

  /** Receives what a segment holds. */
  interface Receiver {
    void row(Row row);

    /** A line that cannot be turned into a row: the original text and why. */
    void unparseable(String line, String error);

    /** Schema drift: an extra, missing or reordered column. */
    void drift(String description);
  }

  private SegmentParser() {}

  static void parse(AppleReport report, InputStream text, LocalDate processingDate, Receiver receiver)
      throws IOException {
    String segment = new String(text.readAllBytes(), StandardCharsets.UTF_8);
    if (segment.isBlank()) {
      return; // an empty file: nothing, like a header-only one
    }
    char delimiter = sniffDelimiter(HeaderedCsv.firstLine(segment, 0));
    CSVFormat records =
        CSVFormat.DEFAULT.builder()
            .setDelimiter(delimiter)
            .setQuote('"')
            .setIgnoreEmptyLines(true)
            .setTrim(false)
            .build();
    HeaderedCsv.read(segment, records, header -> {
      Binding binding = Binding.of(report, header, receiver);
      return new HeaderedCsv.Records() {
        @Override
        public void record(CSVRecord record, String line) {
          Row row;
          try {
            row = binding.toRow(record, processingDate);
          } catch (RuntimeException e) {
            receiver.unparseable(line, e.getMessage());
            return;
          }
          receiver.row(row);
        }

        @Override
        public void malformed(String line, String reason) {
          receiver.unparseable(line, reason);
        }
      };
    });
  }

  static char sniffDelimiter(String header) {
    long tabs = header.chars().filter(c -> c == '\t').count();
    long commas = header.chars().filter(c -> c == ',').count();
    long semicolons = header.chars().filter(c -> c == ';').count();
    if (tabs >= commas && tabs >= semicolons) {
      return '\t';
    }
    return commas >= semicolons ? ',' : ';';
  }

  /** Where each dataset column comes from in this file's header. */
  private static final class Binding {
    private final Schema schema;
    private final int[] recordIndex; // per dataset column: index in the record, or -1
    private final ColumnType[] types;
    private final String[] names;
    private final boolean[] nullable;
    private final int processingDateIndex;
    private final int appNameIndex;
    private final int[] requiredIndex;
    private final int eventIndex;
    private final int countsIndex;
    private final String[] derivedEvents; // Engagement and installs: counts split by event ...
    private final int[] derivedIndex; // ... into these columns
    private final List<String> missingRequired;
    // A segment repeats a handful of dates; parsing each once saves a formatter call per row.
    private final Map<String, LocalDate> dates = new HashMap<>();

    private Binding(AppleReport report, List<String> headers, List<String> missingRequired) {
      Dataset dataset = report.dataset();
      this.schema = dataset.beamSchema();
      List<Column> columns = dataset.columns();
      this.recordIndex = new int[columns.size()];
      this.types = new ColumnType[columns.size()];
      this.names = new String[columns.size()];
      Arrays.fill(recordIndex, -1);
      for (int h = 0; h < headers.size(); h++) {
        int position = h;
        report.columnFor(headers.get(h)).ifPresent(column -> recordIndex[indexOf(columns, column)] = position);
      }
      for (int c = 0; c < columns.size(); c++) {
        types[c] = columns.get(c).type();
        names[c] = columns.get(c).name();
      }
      this.nullable = new boolean[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        nullable[c] = columns.get(c).nullable();
      }
      this.processingDateIndex = indexOf(columns, "processing_date");
      this.appNameIndex = indexOf(columns, "app_name");
      this.requiredIndex = report.requiredColumns().stream().mapToInt(name -> indexOf(columns, name)).toArray();
      Map<String, String> countsByEvent = report.countsByEvent();
      this.eventIndex = countsByEvent.isEmpty() ? -1 : indexOf(columns, "event");
      this.countsIndex = countsByEvent.isEmpty() ? -1 : indexOf(columns, "counts");
      this.derivedEvents = countsByEvent.keySet().toArray(new String[0]);
      this.derivedIndex = countsByEvent.values().stream().mapToInt(name -> indexOf(columns, name)).toArray();
      this.missingRequired = missingRequired;
    }

    static Binding of(AppleReport report, List<String> headers, Receiver receiver) {
      List<String> expected = report.expectedHeaders();
      List<String> present = new ArrayList<>();
      for (String header : headers) {
        if (report.columnFor(header).isEmpty()) {
          receiver.drift("extra column \"" + header.trim() + "\"");
        } else {
          present.add(header.trim().toLowerCase(java.util.Locale.ROOT));
        }
      }
      List<String> missingRequired = new ArrayList<>();
      List<String> expectedPresent = new ArrayList<>();
      for (String header : expected) {
        String lower = header.toLowerCase(java.util.Locale.ROOT);
        if (!present.contains(lower)) {
          receiver.drift("missing column \"" + header + "\"");
          if (report.requiredColumns().contains(report.columnFor(header).orElseThrow())) {
            missingRequired.add(header);
          }
        } else {
          expectedPresent.add(lower);
        }
      }
      if (!expectedPresent.equals(present)) {
        receiver.drift("columns reordered");
      }
      return new Binding(report, headers, missingRequired);
    }

    private static int indexOf(List<Column> columns, String name) {
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equals(name)) {
          return i;
        }
      }
      return -1;
    }

    Row toRow(CSVRecord record, LocalDate processingDate) {
      if (!missingRequired.isEmpty()) {
        throw new IllegalArgumentException("the segment has no column " + String.join(", ", missingRequired));
      }
      Object[] values = new Object[recordIndex.length];
      for (int c = 0; c < recordIndex.length; c++) {
        int index = recordIndex[c];
        if (index < 0 || index >= record.size()) {
          continue;
        }
        String text = record.get(index).trim();
        if (text.isEmpty()) {
          continue;
        }
        try {
          values[c] = switch (types[c]) {
            case BIGINT -> Long.parseLong(text);
            case INT -> Integer.parseInt(text);
            case DOUBLE -> Double.parseDouble(text);
            case DATE -> dates.computeIfAbsent(text, LocalDate::parse);
            default -> text;
          };
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(names[c] + " is not a " + types[c].name().toLowerCase() + ": \"" + text + "\"");
        }
      }
      values[processingDateIndex] = processingDate;
      if (eventIndex >= 0) {
        String event = (String) values[eventIndex];
        long counts = values[countsIndex] == null ? 0 : (Long) values[countsIndex];
        for (int d = 0; d < derivedEvents.length; d++) {
          values[derivedIndex[d]] = derivedEvents[d].equalsIgnoreCase(event) ? counts : 0L;
        }
      }
      for (int required : requiredIndex) {
        if (values[required] == null) {
          throw new IllegalArgumentException(names[required] + " is empty");
        }
      }
      if (values[appNameIndex] == null) {
        values[appNameIndex] = "";
      }
      for (int c = 0; c < values.length; c++) {
        if (values[c] == null && !nullable[c]) {
          throw new IllegalArgumentException(names[c] + " is empty");
        }
      }
      // The values are already of the schema's types (checked above), so Beam's per-value
      // verification, a tenth of the curation's CPU, is skipped.
      return Row.withSchema(schema).attachValues(Arrays.asList(values));
    }
  }
}
