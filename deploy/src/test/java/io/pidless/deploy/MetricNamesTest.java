package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorJar;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules, alerts and dashboard read the aggregator's own metrics by the names and label values a
 * real aggregator exposes: a renamed metric or label value fails here instead of silencing an alert.
 */
class MetricNamesTest {
  /** A selector of one of the aggregator's own metrics, and its label matchers. */
  private static final Pattern SELECTOR = Pattern.compile("(?<![\\w:])((?:pidless|jvm|process)_[a-z_]+)(?![\\w:])(\\{([^}]*)})?");
  private static final Pattern MATCHER = Pattern.compile("(\\w+) *(=|!=) *\"([^\"]*)\"");
  /** Labels Prometheus attaches to targets, not the aggregator. */
  private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

  private static Scrape scrape;

  @BeforeAll
  static void scrapeARealAggregator() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.flags().jvmOptions(List.of("-Xmx64m"))
            .env(Map.of("PIDLESS_SOCKET", dir.socket().toString(), "PIDLESS_LISTEN", "127.0.0.1:0",
                // remote_write's metrics exist only with a URL; nothing is pushed from an empty store
                "PIDLESS_REMOTE_WRITE_URL", "http://127.0.0.1:9/api/v1/write")))) {
      scrape = agg.scrape();
      assertEquals(0, agg.stop(), agg.output());
    }
  }

  @Test
  void everyAggregatorMetricAndLabelValueTheRulesAndDashboardReadExists() {
    List<String> queries = new ArrayList<>(PrometheusRules.expressions());
    queries.addAll(GrafanaDashboard.queries());
    Set<String> checked = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (String q : queries) {
      Matcher selector = SELECTOR.matcher(q);
      while (selector.find()) {
        String name = selector.group(1);
        checked.add(name);
        if (!scrape.names().contains(name)) {
          problems.add(name + " (in " + q + ")");
          continue;
        }
        Matcher m = MATCHER.matcher(selector.group(3) == null ? "" : selector.group(3));
        while (m.find()) {
          String label = m.group(1);
          String value = m.group(3);
          if (!TARGET_LABELS.contains(label)
              && scrape.series(name).keySet().stream().noneMatch(l -> value.equals(l.get(label)))) {
            problems.add(name + "{" + label + "=\"" + value + "\"} (in " + q + ")");
          }
        }
      }
    }
    assertEquals(List.of(), problems, "not exposed by the aggregator " + AggregatorJar.path());
    assertTrue(checked.containsAll(List.of("pidless_rejections_total", "pidless_connections_limit",
        "pidless_scrape_duration_seconds_sum", "jvm_memory_bytes_used")), "too few names checked: " + checked);
  }
}
