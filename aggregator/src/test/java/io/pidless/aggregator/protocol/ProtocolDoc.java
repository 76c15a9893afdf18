package io.pidless.aggregator.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * docs/PROTOCOL.md as tests read it: its code blocks and its tables, so that the code is checked
 * against the document rather than against a copy of it. A row names its line, for failure messages.
 *
 * <pre>{@code
 * for (ProtocolDoc.Row r : ProtocolDoc.rows("| mode | value |")) {
 *   assertEquals(Integer.parseInt(r.cell("value")), GaugeMode.valueOf(...).code(), r.where());
 * }
 * }</pre>
 */
final class ProtocolDoc {
  private static final Path PATH = Path.of("..", "docs", "PROTOCOL.md");

  private ProtocolDoc() {}

  /** One table row: its cells by column name, a cell's enclosing backticks removed. */
  record Row(int line, String text, Map<String, String> cells) {
    String cell(String column) {
      String c = cells.get(column);
      if (c == null) {
        throw new AssertionError("docs/PROTOCOL.md has no column '" + column + "' at " + where());
      }
      return c;
    }

    /** Where the row stands, as a failure message names it. */
    String where() {
      return "docs/PROTOCOL.md:" + line + " " + text;
    }
  }

  static String text() {
    try {
      return Files.readString(PATH);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fenced code blocks after {@code heading}, in order. */
  static List<String> codeBlocksAfter(String heading) {
    String doc = text();
    String[] parts = doc.substring(doc.indexOf(heading)).split("```");
    List<String> blocks = new ArrayList<>();
    for (int i = 1; i < parts.length; i += 2) {
      blocks.add(parts[i]);
    }
    return blocks;
  }

  /** The rows of every table whose header line starts with {@code headerStart}; fails when none does. */
  static List<Row> rows(String headerStart) {
    String[] lines = text().split("\n");
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith(headerStart)) {
        continue;
      }
      List<String> columns = cells(lines[i]);
      for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) {
        List<String> values = cells(lines[i]);
        Map<String, String> row = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
          row.put(columns.get(c), values.get(c));
        }
        rows.add(new Row(i + 1, lines[i], row));
      }
    }
    if (rows.isEmpty()) {
      throw new AssertionError("docs/PROTOCOL.md has no table whose header starts with " + headerStart);
    }
    return rows;
  }

  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    String[] parts = line.split("\\|", -1);
    for (int i = 1; i < parts.length - 1; i++) {
      String c = parts[i].trim();
      if (c.length() > 1 && c.startsWith("`") && c.endsWith("`") && c.indexOf('`', 1) == c.length() - 1) {
        c = c.substring(1, c.length() - 1);
      }
      cells.add(c);
    }
    return cells;
  }
}
