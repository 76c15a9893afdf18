package io.pidless.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rules in {@code deploy/prometheus/}: every rule of every group in a rules file, as the maps
 * Prometheus reads ({@code record} or {@code alert}, {@code expr}, ...).
 *
 * <pre>{@code
 * for (Map<String, Object> rule : PrometheusRules.of("prometheus/pidless-rules.yml")) { ... }
 * }</pre>
 */
final class PrometheusRules {
  static final String RECORDING = "prometheus/pidless-rules.yml";
  static final String ALERTS = "prometheus/pidless-alerts.yml";

  private PrometheusRules() {}

  static List<Map<String, Object>> of(String relative) {
    Map<String, Object> file = DeployFiles.yaml(relative);
    List<Map<String, Object>> rules = new ArrayList<>();
    List<Object> groups = Tree.list(file, "groups");
    for (int g = 0; g < groups.size(); g++) {
      List<Object> inGroup = Tree.list(file, "groups." + g + ".rules");
      for (int r = 0; r < inGroup.size(); r++) {
        rules.add(Tree.map(file, "groups." + g + ".rules." + r));
      }
    }
    return rules;
  }

  /** Every PromQL expression of the recording and alerting rules. */
  static List<String> expressions() {
    List<String> exprs = new ArrayList<>();
    for (String file : List.of(RECORDING, ALERTS)) {
      of(file).forEach(rule -> exprs.add(Tree.string(rule, "expr")));
    }
    return exprs;
  }
}
