package io.analyticsetl.transforms.csv;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class HeaderedCsvTest {

  private final List<String> header = new ArrayList<>();
  private final List<Map<String, String>> records = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();
  private final List<String> malformed = new ArrayList<>();

  private void read(String text) throws Exception {
    HeaderedCsv.read(text, CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).build(), names -> {
      header.addAll(names);
      return new HeaderedCsv.Records() {
        @Override
        public void record(CSVRecord record, String line) {
          records.add(record.toMap());
          lines.add(line);
        }

        @Override
        public void malformed(String line, String reason) {
          malformed.add(line + " | " + reason);
        }
      };
    });
  }

  @Test
  void recordsAreReadByHeaderNameWithTheirLinesAsInTheText() throws Exception {
    read("a,b\r\n\"x, y\",\"\"\r\n\r\n1,\"say \"\"hi\"\"\"\r\n");
    assertThat(header, contains("a", "b"));
    assertThat(records, contains(Map.of("a", "x, y", "b", ""), Map.of("a", "1", "b", "say \"hi\"")));
    assertThat(lines, contains("\"x, y\",\"\"", "1,\"say \"\"hi\"\"\""));
    assertThat(malformed, equalTo(List.of()));
  }

  @Test
  void aMalformedLineCostsOnlyItselfAndTheLinesAfterItAreStillRecords() throws Exception {
    read("a,b\n1,one\n\"2\" two,x\n3,three\n4,\"four\"\n");
    assertThat(records, contains(Map.of("a", "1", "b", "one"), Map.of("a", "3", "b", "three"), Map.of("a", "4", "b", "four")));
    assertThat(lines, contains("1,one", "3,three", "4,\"four\""));
    assertThat(malformed.size(), equalTo(1));
    assertThat(malformed.get(0), startsWith("\"2\" two,x | malformed line: "));
  }
}
