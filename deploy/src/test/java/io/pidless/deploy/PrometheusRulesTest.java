package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The recording rules and alerts pass promtool's checks and its unit tests, the recording rules all
 * sum across nodes, and every alert has a unit test that makes it fire.
 */
class PrometheusRulesTest {
  private static final Path DIR = DeployFiles.deployDir().resolve("prometheus");
  private static final String UNIT_TESTS = "prometheus/pidless-alerts.test.yml";

  @Test
  void promtoolAcceptsTheRuleFiles() {
    String out = Promtool.check(DIR, "check", "rules", "pidless-rules.yml", "pidless-alerts.yml").stdout();
    assertTrue(out.contains(PrometheusRules.of(PrometheusRules.RECORDING).size() + " rules found"), out);
    assertTrue(out.contains(PrometheusRules.of(PrometheusRules.ALERTS).size() + " rules found"), out);
  }

  @Test
  void promtoolUnitTestsOfTheAlertsAndRulesPass() {
    Promtool.check(DIR, "test", "rules", "pidless-alerts.test.yml");
  }

  @Test
  void everyRecordingRuleSumsAcrossNodesOfThePidlessJob() {
    List<Map<String, Object>> rules = PrometheusRules.of(PrometheusRules.RECORDING);
    assertFalse(rules.isEmpty());
    for (Map<String, Object> rule : rules) {
      String name = Tree.string(rule, "record");
      String expr = Tree.string(rule, "expr");
      assertTrue(expr.startsWith("sum without (instance) ("), name + " must sum across nodes: " + expr);
      assertTrue(expr.contains("{job=\"pidless\"}"), name + " must select the pidless job: " + expr);
      assertTrue(name.matches("job:[a-z_]+:(sum|rate5m)"), name + " must be named level:metric:operation");
      assertEquals(expr.contains("rate("), name.endsWith(":rate5m"), name + " says rate5m exactly when it rates");
    }
  }

  @Test
  void theRequiredAlertsExist() {
    Map<String, String> exprByAlert = new HashMap<>();
    PrometheusRules.of(PrometheusRules.ALERTS).forEach(r -> exprByAlert.put(Tree.string(r, "alert"), Tree.string(r, "expr")));
    assertEquals("up{job=\"pidless\"} == 0", exprByAlert.get("PidlessDown"));
    assertTrue(exprByAlert.get("PidlessSeriesRejected").contains("pidless_rejections_total{job=\"pidless\", reason=\"series_limit\"}"));
    assertTrue(exprByAlert.get("PidlessProtocolErrors").contains("pidless_protocol_errors_total"));
    assertTrue(exprByAlert.get("PidlessConnectionsAtLimit").contains(">= pidless_connections_limit"));
    assertTrue(exprByAlert.get("PidlessScrapeSlow").contains("pidless_scrape_duration_seconds_count"));
    for (Map<String, Object> rule : PrometheusRules.of(PrometheusRules.ALERTS)) {
      String alert = Tree.string(rule, "alert");
      assertTrue(Set.of("critical", "warning").contains(Tree.string(rule, "labels.severity")), alert);
      assertFalse(Tree.string(rule, "annotations.summary").isBlank(), alert);
      assertFalse(Tree.string(rule, "annotations.description").isBlank(), alert);
    }
  }

  @Test
  void everyAlertHasAUnitTestInWhichItFires() {
    Set<String> alerts = new TreeSet<>();
    PrometheusRules.of(PrometheusRules.ALERTS).forEach(r -> alerts.add(Tree.string(r, "alert")));
    Map<String, Object> unitTests = DeployFiles.yaml(UNIT_TESTS);
    Set<String> firing = new TreeSet<>();
    List<Object> tests = Tree.list(unitTests, "tests");
    for (int t = 0; t < tests.size(); t++) {
      Object cases = Tree.map(unitTests, "tests." + t).get("alert_rule_test");
      for (Object c : cases == null ? List.of() : (List<?>) cases) {
        if (!((List<?>) Tree.at(c, "exp_alerts")).isEmpty()) {
          firing.add(Tree.string(c, "alertname"));
        }
      }
    }
    assertEquals(alerts, firing, "alerts without a unit test that makes them fire, in " + UNIT_TESTS);
    List<String> ruleFiles = new ArrayList<>();
    Tree.list(unitTests, "rule_files").forEach(f -> ruleFiles.add(String.valueOf(f)));
    assertEquals(List.of("pidless-rules.yml", "pidless-alerts.yml"), ruleFiles);
  }
}
