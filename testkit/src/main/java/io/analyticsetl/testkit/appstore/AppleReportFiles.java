package io.analyticsetl.testkit.appstore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.zip.GZIPOutputStream;

/**
 * Apple-shaped report segments: gzip, tab-separated, with the Standard reports' exact headers. A
 * daily instance processed on day P holds the metric days P-w .. P-1 (w = the report's
 * completeness window) and restates them: every figure depends on the processing date, so summing
 * instances gives different numbers than keeping the latest. Variants: reordered columns, an extra
 * column, CRLF line ends, quoted empty fields, header-only (privacy suppressed) segments.
 */
public final class AppleReportFiles {

  static final String[] DEVICES = {"iPhone", "iPad"};
  static final String[] TERRITORIES = {"US", "GB", "DE", "FR", "BR", "JP", "SE", "IT", "ES", "CA", "AU", "MX"};
  static final String[] SOURCES = {"App Store search", "App Store browse", "App referrer", "Web referrer"};

  /** The reports in scope: the dataset key, Apple's header and how many metric days an instance holds. */
  public enum Report {
    DOWNLOADS("downloads", 3, List.of("Date", "App Name", "App Apple Identifier", "Download Type", "App Version", "Device",
        "Platform Version", "Source Type", "Page Type", "Pre-Order", "Territory", "Counts")),
    ENGAGEMENT("engagement", 4, List.of("Date", "App Name", "App Apple Identifier", "Event", "Page Type", "Source Type",
        "Engagement Type", "Device", "Platform Version", "Territory", "Counts", "Unique Counts")),
    SESSIONS("sessions", 6, List.of("Date", "App Name", "App Apple Identifier", "App Version", "Device", "Platform Version",
        "Source Type", "Page Type", "App Download Date", "Territory", "Sessions", "Total Session Duration", "Unique Devices")),
    INSTALLS("installs", 6, List.of("Date", "App Name", "App Apple Identifier", "Event", "Download Type", "App Version", "Device",
        "Platform Version", "Source Type", "Page Type", "App Download Date", "Territory", "Counts", "Unique Devices")),
    PURCHASES("purchases", 3, List.of("Date", "App Name", "App Apple Identifier", "Purchase Type", "Content Name",
        "Content Apple Identifier", "Payment Method", "Device", "Platform Version", "Source Type", "Page Type",
        "App Download Date", "Pre-Order", "Territory", "Purchases", "Proceeds in USD", "Sales in USD", "Paying Users")),
    PERFORMANCE("performance", 6, List.of("Date", "App Name", "App Apple Identifier", "App Version", "Device",
        "Platform Version", "Crashes", "Unique Devices"));

    public final String key;
    public final int window;
    public final List<String> header;

    Report(String key, int window, List<String> header) {
      this.key = key;
      this.window = window;
      this.header = header;
    }
  }

  /** How a segment deviates from the plain form. */
  public record Variant(
      boolean reorderedColumns, boolean extraColumn, boolean crlf, boolean quotedEmpties, boolean headerOnly, boolean commaSeparated) {
    public static final Variant PLAIN = new Variant(false, false, false, false, false, false);

    public Variant(boolean reorderedColumns, boolean extraColumn, boolean crlf, boolean quotedEmpties, boolean headerOnly) {
      this(reorderedColumns, extraColumn, crlf, quotedEmpties, headerOnly, false);
    }

    /** Comma-separated instead of tab-separated, with an app name that holds a comma (so it is quoted). */
    public static final Variant COMMAS = new Variant(false, false, false, false, false, true);
  }

  private AppleReportFiles() {}

  public static String appName(long appId) {
    return "App " + appId;
  }

  /** The metric days an instance processed on {@code processingDate} holds. */
  public static List<LocalDate> metricDays(Report report, LocalDate processingDate) {
    List<LocalDate> days = new ArrayList<>();
    for (int back = report.window; back >= 1; back--) {
      days.add(processingDate.minusDays(back));
    }
    return days;
  }

  /** The main count of one row: a function of app, day, row and, because of restatements, vintage. */
  public static long count(long appId, LocalDate day, int row, LocalDate processingDate) {
    long base = 1 + Math.floorMod(appId * 31 + day.toEpochDay() * 7 + row * 13L, 997);
    return base + (processingDate.toEpochDay() - day.toEpochDay()) * (1 + row % 3);
  }

  /** One segment's rows for the given metric days, gzip-compressed, as Apple serves it. */
  public static byte[] segment(
      Report report, long appId, LocalDate processingDate, List<LocalDate> days, int rowsPerDay, Variant variant) {
    List<String> header = new ArrayList<>(report.header);
    if (variant.extraColumn()) {
      header.add(header.size() - 1, "Brand New Metric");
    }
    if (variant.reorderedColumns()) {
      Collections.reverse(header);
    }
    String lineEnd = variant.crlf() ? "\r\n" : "\n";
    String delimiter = variant.commaSeparated() ? "," : "\t";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Writer out = new OutputStreamWriter(new GZIPOutputStream(bytes), StandardCharsets.UTF_8)) {
      out.write(String.join(delimiter, header));
      out.write(lineEnd);
      if (!variant.headerOnly()) {
        for (LocalDate day : days) {
          for (int row = 0; row < rowsPerDay; row++) {
            Map<String, String> values = values(report, appId, day, row, processingDate);
            values.put("Brand New Metric", "42");
            if (variant.commaSeparated()) {
              values.put("App Name", values.get("App Name") + ", Inc.");
            }
            List<String> cells = new ArrayList<>();
            for (String column : header) {
              String value = values.getOrDefault(column, "");
              boolean quoted = (value.isEmpty() && variant.quotedEmpties()) || value.contains(delimiter) || value.contains("\"");
              cells.add(quoted ? "\"" + value.replace("\"", "\"\"") + "\"" : value);
            }
            out.write(String.join(delimiter, cells));
            out.write(lineEnd);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** One row's values by Apple's column names, as {@link #segment} writes them. */
  public static Map<String, String> values(Report report, long appId, LocalDate day, int row, LocalDate processingDate) {
    long count = count(appId, day, row, processingDate);
    IntFunction<String> pick = n -> String.valueOf(n);
    Map<String, String> v = new LinkedHashMap<>();
    v.put("Date", day.toString());
    v.put("App Name", appName(appId));
    v.put("App Apple Identifier", String.valueOf(appId));
    v.put("Device", DEVICES[row % DEVICES.length]);
    v.put("Platform Version", (row % 2 == 0 ? "iOS 18." : "iPadOS 18.") + (row % 7));
    v.put("Territory", TERRITORIES[(row / 2) % TERRITORIES.length]);
    v.put("Source Type", SOURCES[(row / 3) % SOURCES.length]);
    v.put("Page Type", row % 5 == 0 ? "No page" : "Product page");
    v.put("App Version", "3." + (row % 4) + ".0");
    v.put("App Download Date", row % 4 == 0 ? "" : day.minusDays(row % 20).toString());
    v.put("Pre-Order", row % 6 == 0 ? "Yes" : "");
    switch (report) {
      case DOWNLOADS -> {
        v.put("Download Type", row % 3 == 0 ? "Redownload" : "First-time download");
        v.put("Counts", String.valueOf(count));
      }
      case ENGAGEMENT -> {
        v.put("Event", new String[] {"Impression", "Page view", "Tap"}[row % 3]);
        v.put("Engagement Type", row % 3 == 2 ? "Get" : "");
        v.put("Counts", String.valueOf(count));
        v.put("Unique Counts", pick.apply((int) (count / 2 + 1)));
      }
      case SESSIONS -> {
        v.put("Sessions", String.valueOf(count));
        v.put("Total Session Duration", String.valueOf(count * 37));
        v.put("Unique Devices", String.valueOf(count / 3 + 1));
      }
      case INSTALLS -> {
        v.put("Event", row % 4 == 3 ? "Delete" : "Install");
        v.put("Download Type", row % 3 == 0 ? "Redownload" : "First-time download");
        v.put("Counts", String.valueOf(count));
        v.put("Unique Devices", String.valueOf(count / 2 + 1));
      }
      case PURCHASES -> {
        v.put("Purchase Type", row % 2 == 0 ? "In-App Purchase" : "Paid App");
        v.put("Content Name", "Gems " + (row % 5));
        v.put("Content Apple Identifier", String.valueOf(6_400_000_000L + row % 5));
        v.put("Payment Method", row % 2 == 0 ? "Apple Pay" : "Card");
        v.put("Purchases", String.valueOf(count % 50));
        v.put("Proceeds in USD", String.format(java.util.Locale.ROOT, "%.2f", (count % 50) * 0.7));
        v.put("Sales in USD", String.format(java.util.Locale.ROOT, "%.2f", (count % 50) * 0.99));
        v.put("Paying Users", String.valueOf(count % 40));
      }
      case PERFORMANCE -> {
        v.put("Crashes", String.valueOf(count % 30));
        v.put("Unique Devices", String.valueOf(count % 20));
      }
    }
    return v;
  }

  /** Writes a segment where the raw zone keeps it. */
  public static Path writeRaw(
      Path root, Report report, long appId, LocalDate processingDate, String instanceId, String segmentId, byte[] gzipped) {
    Path file =
        root.resolve("appstore/raw/" + report.key + "/dt=" + processingDate + "/app_id=" + appId)
            .resolve(instanceId + "-" + segmentId + ".tsv.gz");
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, gzipped);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
