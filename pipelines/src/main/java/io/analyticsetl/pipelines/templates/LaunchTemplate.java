package io.analyticsetl.pipelines.templates;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.analyticsetl.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A launch template (templates/<pipeline>.json): the pipeline, the runner and sink it launches on,
 * the parameters an operator or CI may set (name, help text, whether required, validation pattern,
 * an environment variable it may come from, default), and named environments that override runner,
 * sink and options. A template restates its options' help and defaults so the file reads on its own;
 * a test keeps them in step with the options.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record LaunchTemplate(
    String pipeline,
    String description,
    String runner,
    String sink,
    List<Parameter> parameters,
    Map<String, Environment> environments) {

  /** One parameter: a pipeline option an operator may set. */
  public record Parameter(
      String name,
      String help,
      boolean required,
      String pattern,
      String env,
      @JsonProperty("default") String defaultValue) {}

  /** Overrides for one place the pipeline runs; option values may name variables as ${NAME}. */
  public record Environment(String runner, String sink, Map<String, String> options) {
    public Environment {
      options = options == null ? Map.of() : options;
    }
  }

  public LaunchTemplate {
    parameters = parameters == null ? List.of() : parameters;
    environments = environments == null ? Map.of() : environments;
  }

  public static LaunchTemplate read(Path file) throws IOException {
    return Json.MAPPER.readValue(Files.readString(file), LaunchTemplate.class);
  }
}
