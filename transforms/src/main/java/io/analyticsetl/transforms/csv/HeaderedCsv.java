package io.analyticsetl.transforms.csv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads delimited text whose first line is its header, record by record, with the CSV library. A
 * malformed record (text after a closing quote, say) costs only its own line: the library cannot
 * resynchronise after one, so the rest of the text is read line by line.
 */
public final class HeaderedCsv {

  /** Where the records go. */
  public interface Records {
    /** A record, and its first line as it was in the text. */
    void record(CSVRecord record, String line);

    /** A line the CSV library could not read, and why. */
    void malformed(String line, String reason);
  }

  private HeaderedCsv() {}

  /**
   * Reads {@code text} in {@code format} (whose header, if set, is replaced by the text's first
   * line); {@code onHeader} is given the header's names and returns where the records go.
   */
  public static void read(String text, CSVFormat format, Function<List<String>, Records> onHeader) throws IOException {
    CSVFormat headered = format.builder().setHeader().setSkipHeaderRecord(true).build();
    try (CSVParser parser = CSVParser.parse(text, headered)) {
      List<String> header = parser.getHeaderNames();
      Records records = onHeader.apply(header);
      long linesRead = parser.getCurrentLineNumber();
      try {
        for (CSVRecord record : parser) {
          linesRead = parser.getCurrentLineNumber();
          records.record(record, firstLine(text, (int) record.getCharacterPosition()));
        }
      } catch (UncheckedIOException malformed) {
        CSVFormat oneLine = format.builder().setHeader(header.toArray(String[]::new)).setSkipHeaderRecord(false).build();
        text.lines().skip(linesRead).filter(line -> !line.isEmpty()).forEach(line -> readLine(line, oneLine, records));
      }
    }
  }

  private static void readLine(String line, CSVFormat format, Records records) {
    List<CSVRecord> parsed;
    try (CSVParser parser = CSVParser.parse(line, format)) {
      parsed = parser.getRecords();
    } catch (IOException | UncheckedIOException e) {
      Throwable cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
      records.malformed(line, "malformed line: " + cause.getMessage());
      return;
    }
    if (parsed.size() != 1) {
      records.malformed(line, "malformed line: not one record");
      return;
    }
    records.record(parsed.get(0), line);
  }

  /** The text's first line from {@code from} on that is not empty. */
  public static String firstLine(String text, int from) {
    int start = from;
    while (start < text.length() && (text.charAt(start) == '\n' || text.charAt(start) == '\r')) {
      start++;
    }
    int end = start;
    while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
      end++;
    }
    return text.substring(start, end);
  }
}
