package io.analyticsetl.pipelines.templates;

import io.analyticsetl.common.run.EtlPipeline;
import io.analyticsetl.common.run.ExitCode;
import io.analyticsetl.common.secrets.Redaction;
import io.analyticsetl.pipelines.Main;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * {@code launch --template=templates/<pipeline>.json [--environment=NAME] [--param name=value ...]
 * [--dry-run | --help]}: fills a launch template from parameters and environment variables, validates
 * every parameter before anything starts (exit 2 naming the bad one), prints the resolved command
 * with secrets masked, and runs it; {@code --dry-run} stops after the pipeline's own option checks,
 * {@code --help} lists the parameters with their help and defaults.
 */
public final class TemplateLauncher {

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> environment;

  public TemplateLauncher(PrintStream out, PrintStream err, Map<String, String> environment) {
    this.out = out;
    this.err = err;
    this.environment = environment;
  }

  /** A parameter or template that cannot be used; the launch stops with exit 2. */
  static final class Rejected extends Exception {
    Rejected(String message) {
      super(message);
    }
  }

  public int launch(String... args) {
    try {
      if (List.of(args).contains("--help")) {
        printHelp(args);
        return ExitCode.SUCCESS;
      }
      List<String> command = resolve(args);
      out.println("launching: " + masked(command));
      if (List.of(args).contains("--dry-run")) {
        return Main.check(command.toArray(String[]::new), out, err);
      }
      return Main.run(command.toArray(String[]::new), out, err);
    } catch (Rejected e) {
      err.println("launch: " + e.getMessage());
      return ExitCode.INVALID_OR_CHECK_FAILED;
    }
  }

  /** The pipeline command line the template and parameters make, all of it validated. */
  List<String> resolve(String... args) throws Rejected {
    String templatePath = null;
    String environmentName = null;
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("--template=")) {
        templatePath = arg.substring("--template=".length());
      } else if (arg.startsWith("--environment=")) {
        environmentName = arg.substring("--environment=".length());
      } else if (arg.equals("--param") && i + 1 < args.length) {
        addParameter(given, args[++i]);
      } else if (arg.startsWith("--param=")) {
        addParameter(given, arg.substring("--param=".length()));
      } else if (!arg.equals("--dry-run") && !arg.equals("--help")) {
        throw new Rejected("unknown argument " + arg + " (use --template=, --environment=, --param name=value, --dry-run, --help)");
      }
    }
    LaunchTemplate template = template(templatePath);

    LaunchTemplate.Environment place = null;
    if (environmentName != null) {
      place = template.environments().get(environmentName);
      if (place == null) {
        throw new Rejected(
            "unknown environment " + environmentName + "; the template has " + template.environments().keySet());
      }
    }

    Map<String, String> parameters = new LinkedHashMap<>();
    for (LaunchTemplate.Parameter parameter : template.parameters()) {
      String value = given.remove(parameter.name());
      if (value == null && parameter.env() != null) {
        value = variable(parameter.env());
      }
      if (value == null && parameter.defaultValue() != null
          && !parameter.defaultValue().equals(optionDefault(pipelineOf(template), parameter.name()))) {
        value = parameter.defaultValue(); // the template's own default; the option's own needs no passing
      }
      if (value == null) {
        if (parameter.required()) {
          throw new Rejected(
              "parameter " + parameter.name() + " is required"
                  + (parameter.env() == null ? "" : " (--param " + parameter.name() + "=... or $" + parameter.env() + ")"));
        }
        continue;
      }
      if (parameter.pattern() != null && !value.matches(parameter.pattern())) {
        throw new Rejected(
            "parameter " + parameter.name() + ": \"" + Redaction.optionValue(parameter.name(), value)
                + "\" does not match " + parameter.pattern());
      }
      parameters.put(parameter.name(), value);
    }
    if (!given.isEmpty()) {
      throw new Rejected(
          "parameter " + given.keySet().iterator().next() + " is not in template " + templatePath
              + "; its parameters are " + template.parameters().stream().map(LaunchTemplate.Parameter::name).toList());
    }

    List<String> command = new ArrayList<>();
    command.add(template.pipeline());
    String runner = place != null && place.runner() != null ? place.runner() : template.runner();
    String sink = place != null && place.sink() != null ? place.sink() : template.sink();
    if (runner != null) {
      command.add("--runner=" + runner);
    }
    if (sink != null && !parameters.containsKey("sink")) {
      command.add("--sink=" + sink);
    }
    if (place != null) {
      for (Map.Entry<String, String> option : place.options().entrySet()) {
        command.add("--" + option.getKey() + "=" + substitute(option.getKey(), option.getValue()));
      }
    }
    parameters.forEach((name, value) -> command.add("--" + name + "=" + value));
    return command;
  }

  /** The template named by --template=, read and checked against its pipeline's options. */
  private static LaunchTemplate template(String templatePath) throws Rejected {
    if (templatePath == null) {
      throw new Rejected("--template=<file> is required");
    }
    LaunchTemplate template;
    try {
      template = LaunchTemplate.read(Path.of(templatePath));
    } catch (IOException e) {
      throw new Rejected("cannot read template " + templatePath + ": " + e.getMessage());
    }
    checkAgainstOptions(template, pipelineOf(template));
    return template;
  }

  private static EtlPipeline<?> pipelineOf(LaunchTemplate template) throws Rejected {
    return Main.find(template.pipeline())
        .orElseThrow(() -> new Rejected("the template names an unknown pipeline " + template.pipeline()));
  }

  /** An environment variable; one set but empty counts as unset (CI passes undefined secrets as ""). */
  private String variable(String name) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  /** The template's parameters with each option's help and default, and its environments. */
  private void printHelp(String... args) throws Rejected {
    String templatePath = null;
    for (String arg : args) {
      if (arg.startsWith("--template=")) {
        templatePath = arg.substring("--template=".length());
      }
    }
    if (templatePath == null) {
      out.println("usage: launch --template=templates/<pipeline>.json [--environment=NAME] [--param name=value ...] [--dry-run]");
      out.println("       launch --template=templates/<pipeline>.json --help   lists the template's parameters");
      return;
    }
    LaunchTemplate template = template(templatePath);
    EtlPipeline<?> pipeline = pipelineOf(template);
    out.println(template.pipeline() + ": " + template.description());
    out.println("runs on " + template.runner() + ", writes to " + template.sink() + " unless an environment says otherwise");
    out.println();
    out.println("parameters (--param name=value):");
    for (LaunchTemplate.Parameter parameter : template.parameters()) {
      String defaultValue = parameter.defaultValue() != null ? parameter.defaultValue() : optionDefault(pipeline, parameter.name());
      out.println("  " + parameter.name() + (parameter.required() ? " (required)" : "")
          + (parameter.env() == null ? "" : "  [or $" + parameter.env() + "]"));
      out.println("      " + (parameter.help() != null ? parameter.help() : help(pipeline, parameter.name())));
      if (defaultValue != null) {
        out.println("      default: " + defaultValue);
      }
      out.println("      must match: " + parameter.pattern());
    }
    out.println();
    out.println("environments (--environment=NAME):");
    for (Map.Entry<String, LaunchTemplate.Environment> place : template.environments().entrySet()) {
      LaunchTemplate.Environment environment = place.getValue();
      List<String> parts = new ArrayList<>();
      if (environment.runner() != null) {
        parts.add("runner " + environment.runner());
      }
      if (environment.sink() != null) {
        parts.add("sink " + environment.sink());
      }
      environment.options().forEach((name, value) -> parts.add("--" + name + "=" + value));
      out.println("  " + place.getKey() + (parts.isEmpty() ? "  (the template's runner and sink)" : "  " + String.join(", ", parts)));
    }
  }

  private static void addParameter(Map<String, String> given, String nameValue) throws Rejected {
    int eq = nameValue.indexOf('=');
    if (eq <= 0) {
      throw new Rejected("--param takes name=value, got \"" + nameValue + "\"");
    }
    given.put(nameValue.substring(0, eq), nameValue.substring(eq + 1));
  }

  /** ${NAME} in an environment's option value comes from the environment variable NAME. */
  private String substitute(String option, String value) throws Rejected {
    Matcher matcher = VARIABLE.matcher(value);
    StringBuilder resolved = new StringBuilder();
    while (matcher.find()) {
      String variable = variable(matcher.group(1));
      if (variable == null) {
        throw new Rejected("option " + option + " needs the environment variable " + matcher.group(1));
      }
      matcher.appendReplacement(resolved, Matcher.quoteReplacement(variable));
    }
    matcher.appendTail(resolved);
    return resolved.toString();
  }

  /** Every template parameter must be an option of the pipeline, described there. */
  static void checkAgainstOptions(LaunchTemplate template, EtlPipeline<?> pipeline) throws Rejected {
    for (LaunchTemplate.Parameter parameter : template.parameters()) {
      if (help(pipeline, parameter.name()) == null) {
        throw new Rejected(
            "template parameter " + parameter.name() + " is not a described option of " + pipeline.name());
      }
    }
  }

  /** The option's @Description, or null when the pipeline has no such option. */
  static String help(EtlPipeline<?> pipeline, String option) {
    Method getter = getter(pipeline, option);
    Description description = getter == null ? null : getter.getAnnotation(Description.class);
    return description == null ? null : description.value();
  }

  /**
   * The getter of a pipeline option, or null when the pipeline has no such option: its own, or one
   * of the options the bundled jar registers (S3's --endpoint and --awsRegion, say).
   */
  private static Method getter(EtlPipeline<?> pipeline, String option) {
    String name = "get" + Character.toUpperCase(option.charAt(0)) + option.substring(1);
    List<Class<?>> interfaces = new ArrayList<>();
    interfaces.add(pipeline.optionsClass());
    interfaces.addAll(org.apache.beam.sdk.options.PipelineOptionsFactory.getRegisteredOptions());
    for (Class<?> options : interfaces) {
      try {
        return options.getMethod(name);
      } catch (NoSuchMethodException e) {
        // not this one's
      }
    }
    return null;
  }

  /** The option's {@code @Default} value as text, or null when it has none. */
  static String optionDefault(EtlPipeline<?> pipeline, String option) {
    Method getter = getter(pipeline, option);
    if (getter == null) {
      return null;
    }
    try {
      for (Annotation annotation : getter.getAnnotations()) {
        if (annotation instanceof Default.InstanceFactory) {
          return "computed at launch";
        }
        if (annotation.annotationType().getEnclosingClass() == Default.class) {
          return String.valueOf(annotation.annotationType().getMethod("value").invoke(annotation));
        }
      }
      return null;
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  private static String masked(List<String> command) {
    List<String> shown = new ArrayList<>();
    for (String part : command) {
      int eq = part.indexOf('=');
      if (part.startsWith("--") && eq > 0) {
        String name = part.substring(2, eq);
        shown.add("--" + name + "=" + Redaction.optionValue(name, part.substring(eq + 1)));
      } else {
        shown.add(part);
      }
    }
    return String.join(" ", shown);
  }
}
