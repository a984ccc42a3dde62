package io.analyticsetl.pipelines.appstore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The readable form of appstore-verify's report: the checks, and an SVG chart of rows per day. */
final class VerifyPage {

  private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"};

  private VerifyPage() {}

  static String html(Map<String, Object> report, List<Map<String, Object>> checks, Map<String, Map<String, Long>> rowsPerDay) {
    StringBuilder html = new StringBuilder();
    boolean passed = (Boolean) report.get("passed");
    html.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>appstore-verify ")
        .append(escape(String.valueOf(report.get("run_date"))))
        .append("</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.fail{background:#fdd}.pass{background:#dfd}</style></head><body>");
    html.append("<h1>App Store data verification, ").append(escape(String.valueOf(report.get("run_date")))).append("</h1>");
    html.append("<p>Days checked: ").append(escape(String.valueOf(report.get("days")))).append(". Result: <b>")
        .append(passed ? "all checks passed" : "some checks failed").append("</b></p>");
    html.append("<h2>Rows per day</h2>").append(chart(rowsPerDay));
    html.append("<h2>Checks</h2><table><tr><th>check</th><th>dataset</th><th>app</th><th>result</th><th>detail</th></tr>");
    for (Map<String, Object> check : checks) {
      boolean ok = (Boolean) check.get("passed");
      html.append("<tr class=\"").append(ok ? "pass" : "fail").append("\"><td>").append(escape(String.valueOf(check.get("check"))))
          .append("</td><td>").append(escape(String.valueOf(check.get("dataset"))))
          .append("</td><td>").append(check.containsKey("app_id") ? check.get("app_id") : "")
          .append("</td><td>").append(ok ? "passed" : "FAILED")
          .append("</td><td>").append(escape(String.valueOf(check.get("detail")))).append("</td></tr>");
    }
    return html.append("</table></body></html>\n").toString();
  }

  /** One line per dataset over the union of days. */
  private static String chart(Map<String, Map<String, Long>> rowsPerDay) {
    TreeSet<String> days = new TreeSet<>();
    rowsPerDay.values().forEach(m -> days.addAll(m.keySet()));
    if (days.isEmpty()) {
      return "<p>No curated rows.</p>";
    }
    List<String> axis = new ArrayList<>(days);
    long max = rowsPerDay.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).max().orElse(1);
    int width = 760;
    int height = 260;
    int left = 60;
    int bottom = 30;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width + 200).append("\" height=\"").append(height + bottom + 10).append("\">");
    svg.append("<line x1=\"").append(left).append("\" y1=\"").append(height).append("\" x2=\"").append(width).append("\" y2=\"").append(height).append("\" stroke=\"#333\"/>");
    svg.append("<line x1=\"").append(left).append("\" y1=\"10\" x2=\"").append(left).append("\" y2=\"").append(height).append("\" stroke=\"#333\"/>");
    svg.append("<text x=\"5\" y=\"15\" font-size=\"11\">").append(max).append("</text><text x=\"5\" y=\"").append(height).append("\" font-size=\"11\">0</text>");
    svg.append("<text x=\"").append(left).append("\" y=\"").append(height + 20).append("\" font-size=\"11\">").append(axis.get(0)).append("</text>");
    svg.append("<text x=\"").append(width - 70).append("\" y=\"").append(height + 20).append("\" font-size=\"11\">").append(axis.get(axis.size() - 1)).append("</text>");
    int series = 0;
    for (Map.Entry<String, Map<String, Long>> dataset : rowsPerDay.entrySet()) {
      String colour = COLOURS[series % COLOURS.length];
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < axis.size(); i++) {
        Long value = dataset.getValue().get(axis.get(i));
        if (value == null) {
          continue;
        }
        double x = left + (axis.size() == 1 ? 0 : (double) (width - left) * i / (axis.size() - 1));
        double y = height - (double) (height - 10) * value / max;
        points.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"").append(points).append("\"/>");
      svg.append("<text x=\"").append(width + 10).append("\" y=\"").append(20 + series * 16).append("\" font-size=\"12\" fill=\"")
          .append(colour).append("\">").append(escape(dataset.getKey())).append("</text>");
      series++;
    }
    return svg.append("</svg>").toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
