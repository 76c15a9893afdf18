package io.pidless.bench.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * The one table the benchmark prints: per target the measured figure, the baseline measured in the
 * same run, their ratio, the goal and PASS/FAIL.
 *
 * <pre>{@code
 * SummaryTable t = new SummaryTable();
 * t.row("churn", "6,000 conn/s", "20,000 conn/s", "0.30", ">= 5,000 conn/s", true);
 * System.out.print(t.render());
 * }</pre>
 */
final class SummaryTable {
  private static final String[] HEADER = {"target", "measured", "baseline (same run)", "ratio", "goal", "result"};
  private final List<String[]> rows = new ArrayList<>();
  private boolean allPass = true;

  /** A judged row. */
  void row(String target, String measured, String baseline, String ratio, String goal, boolean pass) {
    rows.add(new String[] {target, measured, baseline, ratio, goal, pass ? "PASS" : "FAIL"});
    allPass &= pass;
  }

  /** A row shown for information, not judged. */
  void info(String target, String measured, String baseline, String ratio) {
    rows.add(new String[] {target, measured, baseline, ratio, "-", "info"});
  }

  boolean allPass() {
    return allPass;
  }

  String render() {
    int[] width = new int[HEADER.length];
    List<String[]> all = new ArrayList<>();
    all.add(HEADER);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int n = 0; n < all.size(); n++) {
      String[] r = all.get(n);
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < r.length; i++) {
        line.append(' ').append(pad(r[i], width[i])).append(" |");
      }
      sb.append(line).append('\n');
      if (n == 0) {
        StringBuilder sep = new StringBuilder("|");
        for (int w : width) {
          sep.append("-".repeat(w + 2)).append('|');
        }
        sb.append(sep).append('\n');
      }
    }
    return sb.toString();
  }

  private static String pad(String s, int w) {
    return s + " ".repeat(w - s.length());
  }
}
