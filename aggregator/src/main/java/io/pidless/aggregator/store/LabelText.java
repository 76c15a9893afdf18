package io.pidless.aggregator.store;

import java.nio.charset.StandardCharsets;

/**
 * A label set as the exposition writes it, {@code {a="x",b="y\"z"}}, rendered to UTF-8 once when
 * its key is made. A scrape then copies these bytes instead of escaping and encoding every label of
 * every series again, and the key keeps one small {@code byte[]} instead of a {@code String} per
 * value. Text 0.0.4 and OpenMetrics escape label values alike: backslash, double quote, newline.
 *
 * <pre>{@code
 * byte[] text = LabelText.render(new String[] {"a", "b"}, new String[] {"x", "y\"z"});
 * // {a="x",b="y\"z"}
 * }</pre>
 */
public final class LabelText {
  /** The text of the empty label set: nothing at all, not {@code {}}. */
  static final byte[] EMPTY = new byte[0];

  private LabelText() {}

  /**
   * {@code names} sorted, {@code values} in the same order. Every DEFINE renders its key to look it
   * up, so the usual case, printable ASCII with nothing to escape, is copied straight into one array.
   */
  static byte[] render(String[] names, String[] values) {
    if (names.length == 0) {
      return EMPTY;
    }
    int length = 1;
    for (int i = 0; i < names.length; i++) {
      if (!plain(values[i])) {
        return renderEscaped(names, values);
      }
      length += names[i].length() + values[i].length() + 4;
    }
    byte[] text = new byte[length];
    int p = 0;
    for (int i = 0; i < names.length; i++) {
      text[p++] = (byte) (i == 0 ? '{' : ',');
      p = copy(names[i], text, p);
      text[p++] = '=';
      text[p++] = '"';
      p = copy(values[i], text, p);
      text[p++] = '"';
    }
    text[p] = '}';
    return text;
  }

  /** Printable ASCII without a backslash or double quote; label names always are. */
  private static boolean plain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < ' ' || c > '~' || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static int copy(String ascii, byte[] to, int at) {
    for (int i = 0; i < ascii.length(); i++) {
      to[at++] = (byte) ascii.charAt(i);
    }
    return at;
  }

  private static byte[] renderEscaped(String[] names, String[] values) {
    StringBuilder out = new StringBuilder(16 * names.length);
    out.append('{');
    for (int i = 0; i < names.length; i++) {
      out.append(i == 0 ? "" : ",").append(names[i]).append("=\"");
      escape(values[i], true, out);
      out.append('"');
    }
    return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The {@code count} label values of {@code text}, unescaped, in label-name order: what
   * {@link #render} was given. Label names hold neither {@code =} nor {@code "}, so each value starts
   * after the next {@code ="}.
   */
  public static String[] values(byte[] text, int count) {
    String s = new String(text, StandardCharsets.UTF_8);
    String[] values = new String[count];
    int p = 0;
    for (int i = 0; i < count; i++) {
      p = s.indexOf("=\"", p) + 2;
      StringBuilder value = new StringBuilder();
      for (char c = s.charAt(p); c != '"'; c = s.charAt(++p)) {
        if (c == '\\') {
          c = s.charAt(++p);
          value.append(c == 'n' ? '\n' : c);
        } else {
          value.append(c);
        }
      }
      values[i] = value.toString();
      p++;
    }
    return values;
  }

  /**
   * Escapes backslash and newline, and the double quote where {@code quotes}: label values always,
   * HELP text only in OpenMetrics.
   */
  public static void escape(String s, boolean quotes, StringBuilder out) {
    if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0 && (!quotes || s.indexOf('"') < 0)) {
      out.append(s);
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '"' -> out.append(quotes ? "\\\"" : "\"");
        default -> out.append(c);
      }
    }
  }
}
