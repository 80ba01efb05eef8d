package io.github.taskstatus.snippets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The {@code ```java} blocks of a Markdown file, compiled as a reader would paste them: each block
 * is a whole Java file (its package, its imports and a top-level type, named as the file would be),
 * and the blocks of one file compile together, so a block may use a type another block of the same
 * file declares.
 *
 * <p>A block's fence may carry a tag after the language, {@code ```java cdk-nag-3}, for blocks that
 * need a classpath of their own (cdk-nag 3 cannot share one with cdk-nag 2); GitHub shows the block
 * as Java all the same.
 *
 * <p>Shared by the library's tests and the consumer-side builds under {@code compat/}, which add
 * this directory to their test sources.
 */
public final class JavaSnippets {

  /**
   * One Java block.
   *
   * @param file the Markdown file, as given
   * @param line the line of the block's first line of code (1-based, the line after the fence)
   * @param tag what follows {@code java} on the fence, or an empty string
   * @param code the code, without the fence's indentation
   */
  public record Block(Path file, int line, String tag, String code) {}

  private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+)\\s*(.*)$");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");

  /** A top-level type: declared at the start of a line, as a whole file declares it. */
  private static final Pattern TOP_LEVEL_TYPE =
      Pattern.compile(
          "(?m)^(?:public\\s+)?(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*"
              + "(?:class|interface|record|enum|@interface)\\s+(\\w+)");

  private JavaSnippets() {}

  /**
   * Reads every Java block of a Markdown file, tagged or not, in the order they appear.
   *
   * @param markdown the file
   * @return its Java blocks
   */
  public static List<Block> read(Path markdown) {
    List<String> lines;
    try {
      lines = Files.readAllLines(markdown, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      String indent = open.group(1);
      String fence = open.group(2);
      String[] info = open.group(3).trim().split("\\s+", 2);
      int end = i + 1;
      while (end < lines.size() && !isClosing(lines.get(end), fence)) {
        end++;
      }
      if (info[0].equals("java")) {
        StringBuilder code = new StringBuilder();
        for (String line : lines.subList(i + 1, Math.min(end, lines.size()))) {
          code.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip())
              .append('\n');
        }
        blocks.add(new Block(markdown, i + 2, info.length > 1 ? info[1] : "", code.toString()));
      }
      i = end;
    }
    return blocks;
  }

  private static boolean isClosing(String line, String fence) {
    String stripped = line.strip();
    return stripped.startsWith(fence.substring(0, 3))
        && stripped.replace(fence.charAt(0), ' ').isBlank();
  }

  /**
   * Compiles blocks together, for Java 17, against a classpath, treating warnings (deprecated API
   * among them) as problems.
   *
   * @param blocks the blocks, usually those of one file
   * @param classpath what they compile against, as {@code java.class.path} spells it
   * @return one problem per line: {@code README.md:123: error: <the compiler's message>} with the
   *     README's own line number; empty when every block compiles cleanly
   */
  public static List<String> compile(List<Block> blocks, String classpath) {
    List<String> problems = new ArrayList<>();
    List<Source> sources = new ArrayList<>();
    for (Block block : blocks) {
      Matcher type = TOP_LEVEL_TYPE.matcher(block.code());
      if (!type.find()) {
        problems.add(
            where(block, 0)
                + ": error: a Java snippet must be a whole file: its package, its imports and a"
                + " top-level class, interface, record or enum");
        continue;
      }
      Matcher pkg = PACKAGE.matcher(block.code());
      sources.add(new Source(block, pkg.find() ? pkg.group(1) : "", type.group(1)));
    }
    if (sources.isEmpty()) {
      return problems;
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Path out = temporaryDirectory();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<String> options =
          List.of(
              "--release",
              "17",
              "-proc:none",
              "-Xlint:deprecation,removal,unchecked,rawtypes",
              "-classpath",
              classpath,
              "-d",
              out.toString());
      javac.getTask(null, files, diagnostics, options, null, sources).call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      delete(out);
    }
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.NOTE || d.getKind() == Diagnostic.Kind.OTHER) {
        continue;
      }
      String kind = d.getKind() == Diagnostic.Kind.ERROR ? "error" : "warning";
      String message = d.getMessage(Locale.ROOT);
      if (d.getSource() instanceof Source source) {
        problems.add(where(source.block, d.getLineNumber()) + ": " + kind + ": " + message);
      } else {
        problems.add("javac: " + kind + ": " + message);
      }
    }
    return problems;
  }

  private static String where(Block block, long lineInBlock) {
    return block.file() + ":" + (block.line() + Math.max(lineInBlock, 1) - 1);
  }

  /** A block as javac sees it: a file named after its first type, in its package's folder. */
  private static final class Source extends SimpleJavaFileObject {
    final Block block;

    Source(Block block, String pkg, String type) {
      super(
          URI.create(
              "snippet:///"
                  + block.line()
                  + "/"
                  + (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/")
                  + type
                  + Kind.SOURCE.extension),
          Kind.SOURCE);
      this.block = block;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return block.code();
    }
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createTempDirectory("java-snippets");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
