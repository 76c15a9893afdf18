package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The dashboard imports cleanly, its every query is valid PromQL, and it reads recording rules that exist. */
class GrafanaDashboardTest {
  private static final Pattern RECORDED = Pattern.compile("\\bjob:[a-z_]+:[a-z0-9]+\\b");

  private final JsonNode dashboard = GrafanaDashboard.json();

  @Test
  void dashboardHasAStableUidAndADataSourceVariable() {
    assertEquals("pidless", dashboard.get("uid").asText());
    JsonNode datasource = dashboard.at("/templating/list/0");
    assertEquals("datasource", datasource.get("name").asText());
    assertEquals("prometheus", datasource.get("query").asText());
  }

  @Test
  void everyPanelQueriesThroughTheDataSourceVariable() {
    Set<Integer> ids = new HashSet<>();
    int queried = 0;
    for (JsonNode panel : dashboard.get("panels")) {
      String title = panel.get("title").asText();
      assertTrue(ids.add(panel.get("id").asInt()), "duplicate panel id in " + title);
      assertTrue(panel.has("gridPos"), title);
      if (panel.get("type").asText().equals("row")) {
        continue;
      }
      assertEquals("${datasource}", panel.at("/datasource/uid").asText(), title);
      assertFalse(panel.path("targets").isEmpty(), title + " has no query");
      for (JsonNode target : panel.get("targets")) {
        assertEquals("${datasource}", target.at("/datasource/uid").asText(), title);
        queried++;
      }
    }
    assertTrue(queried > 10, "the dashboard shows too little: " + queried + " queries");
  }

  @Test
  void jobMetricRowsRepeatOverTheCounterAndHistogramVariables() {
    Set<String> repeats = new TreeSet<>();
    for (JsonNode panel : dashboard.get("panels")) {
      if (panel.has("repeat")) {
        repeats.add(panel.get("repeat").asText());
      }
    }
    assertEquals(Set.of("counter", "histogram"), repeats);
  }

  @Test
  void recordingRulesTheDashboardReadsExist() {
    Set<String> recorded = new TreeSet<>();
    PrometheusRules.of(PrometheusRules.RECORDING).forEach(r -> recorded.add(Tree.string(r, "record")));
    Set<String> used = new TreeSet<>();
    for (String q : GrafanaDashboard.queries()) {
      Matcher m = RECORDED.matcher(q);
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertFalse(used.isEmpty(), "the dashboard reads no recording rule");
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(recorded);
    assertEquals(Set.of(), missing, "dashboard reads recording rules that pidless-rules.yml does not define");
  }

  /** promtool parses every dashboard query, as the expression of a throwaway recording rule. */
  @Test
  void promtoolParsesEveryQuery(@TempDir Path tmp) throws IOException {
    List<Map<String, Object>> rules = new ArrayList<>();
    List<String> queries = GrafanaDashboard.queries();
    for (int i = 0; i < queries.size(); i++) {
      Map<String, Object> rule = new LinkedHashMap<>();
      rule.put("record", "dashboard:query_" + i + ":check");
      rule.put("expr", queries.get(i));
      rules.add(rule);
    }
    Files.writeString(tmp.resolve("queries.yml"),
        new Yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
    String out = Promtool.check(tmp, "check", "rules", "queries.yml").stdout();
    assertTrue(out.contains(queries.size() + " rules found"), out);
  }
}
