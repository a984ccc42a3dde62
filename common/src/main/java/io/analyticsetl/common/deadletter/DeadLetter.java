package io.analyticsetl.common.deadletter;

import io.analyticsetl.common.json.Json;
import java.io.Serializable;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.SerializableCoder;

/**
 * A record that could not be parsed, validated or written, with the reason. {@code record} is the
 * original text, or the original row as JSON; {@code source} is the file, URL or table it came
 * from.
 */
@DefaultCoder(SerializableCoder.class)
public record DeadLetter(String stage, String source, String record, String error, Instant at)
    implements Serializable {

  public static DeadLetter of(String stage, String source, String record, String error) {
    return new DeadLetter(stage, source, record, error, Instant.now());
  }

  /** One JSONL line of the dead-letter output. */
  public String toJson(String pipeline) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("pipeline", pipeline);
    line.put("stage", stage);
    line.put("source", source);
    line.put("record", record);
    line.put("error", error);
    line.put("at", at.toString());
    return Json.write(line);
  }
}
