package io.pidless.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard's queries, with its template variables replaced by values Prometheus can
 * evaluate, so promtool can check them and tests can see which metrics they read.
 *
 * <pre>{@code
 * for (String promql : GrafanaDashboard.queries()) { ... }
 * }</pre>
 */
final class GrafanaDashboard {
  static final String FILE = "prometheus/grafana-dashboard.json";
  /** Example values for the dashboard's variables, in the shapes Grafana substitutes. */
  private static final Map<String, String> VARIABLES = Map.of(
      "__rate_interval", "2m",
      "instance", ".*",
      "counter", "etl_records_total",
      "histogram", "etl_parse_seconds");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*), *(\\w+)\\)");

  private GrafanaDashboard() {}

  static JsonNode json() {
    try {
      return new ObjectMapper().readTree(DeployFiles.text(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(FILE + " is not valid JSON", e);
    }
  }

  /** Every panel query, then the selector of every {@code label_values()} variable query. */
  static List<String> queries() {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : json().get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(substitute(target.get("expr").asText()));
      }
    }
    for (JsonNode variable : json().at("/templating/list")) {
      if (variable.get("type").asText().equals("query")) {
        Matcher m = LABEL_VALUES.matcher(variable.get("query").asText());
        if (!m.matches()) {
          throw new AssertionError("variable " + variable.get("name") + " is not a label_values() query");
        }
        out.add(substitute(m.group(1)));
      }
    }
    return out;
  }

  static String substitute(String expr) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = VARIABLES.get(m.group(1));
      if (value == null) {
        throw new AssertionError("dashboard query uses unknown variable $" + m.group(1) + ": " + expr);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    return m.appendTail(sb).toString();
  }
}
