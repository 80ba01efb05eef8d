package io.github.taskstatus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's whole programs, the Java blocks that begin with their imports, compile as a reader
 * would paste them, against the client and its dependencies (the test class path).
 */
class ReadmeTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS_NAME =
      Pattern.compile("^public (?:final )?class (\\w+)", Pattern.MULTILINE);

  @Test
  void everyWholeProgramInTheReadmeCompiles(@TempDir Path sources) throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    Matcher block = JAVA_BLOCK.matcher(readme);
    int programs = 0;
    while (block.find()) {
      String code = block.group(1);
      if (!code.startsWith("import ")) {
        continue;
      }
      Matcher name = CLASS_NAME.matcher(code);
      assertThat(name.find()).as("a public class in:%n%s", code).isTrue();
      Files.writeString(sources.resolve(name.group(1) + ".java"), code);
      programs++;
    }
    assertThat(programs).as("whole programs in the README").isPositive();

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter output = new StringWriter();
    try (StandardJavaFileManager files =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      List<Path> java;
      try (var listing = Files.list(sources)) {
        java = listing.filter(p -> p.toString().endsWith(".java")).toList();
      }
      boolean compiled =
          compiler
              .getTask(
                  output,
                  files,
                  diagnostics,
                  List.of(
                      "-classpath",
                      System.getProperty(
                          "surefire.test.class.path", System.getProperty("java.class.path")),
                      "-d",
                      Files.createDirectories(sources.resolve("classes")).toString(),
                      "-Xlint:all",
                      "-Werror"),
                  null,
                  files.getJavaFileObjectsFromPaths(java))
              .call();
      assertThat(compiled).as("%s%s", diagnostics.getDiagnostics(), output).isTrue();
    }
  }
}
