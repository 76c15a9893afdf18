package io.pidless.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code deploy/docker/Dockerfile} as instructions (continuation lines joined, comments dropped), and
 * the environment its {@code ENV} lines give the aggregator. No Docker engine runs here to build it.
 *
 * <pre>{@code
 * List<Dockerfile.Instruction> all = Dockerfile.instructions();
 * Map<String, String> env = Dockerfile.env();
 * }</pre>
 */
final class Dockerfile {
  static final String FILE = "docker/Dockerfile";
  private static final Pattern ENV_PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");

  /** One instruction: {@code FROM}, {@code RUN}, ... and its arguments on one line. */
  record Instruction(String keyword, String args) {}

  private Dockerfile() {}

  static List<Instruction> instructions() {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : DeployFiles.text(FILE).split("\n")) {
      if (line.strip().startsWith("#") || (current.length() == 0 && line.isBlank())) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        String text = current.toString().strip().replaceAll("\\s+", " ");
        int space = text.indexOf(' ');
        out.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
        current.setLength(0);
      }
    }
    return out;
  }

  /** The instructions of one build stage: from its FROM up to the next. */
  static List<Instruction> stage(int index) {
    List<Instruction> out = new ArrayList<>();
    int stage = -1;
    for (Instruction i : instructions()) {
      if (i.keyword().equals("FROM")) {
        stage++;
      }
      if (stage == index) {
        out.add(i);
      }
    }
    return out;
  }

  /** Every {@code KEY=value} of the ENV instructions, quotes removed. */
  static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (Instruction i : instructions()) {
      if (i.keyword().equals("ENV")) {
        Matcher m = ENV_PAIR.matcher(i.args());
        while (m.find()) {
          env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
        }
      }
    }
    return env;
  }
}
