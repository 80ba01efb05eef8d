package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskstatus.snippets.JavaSnippets;
import io.github.taskstatus.snippets.JavaSnippets.Block;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Java snippet of the READMEs compiles as a reader would paste it: each {@code ```java} block
 * is a whole file (its package, its imports and a class), compiled for Java 17 against this build's
 * test classpath, which holds the library, the client, the test kit, aws-cdk-lib, cdk-nag 2, the
 * AWS SDK and JUnit. Blocks tagged {@code cdk-nag-3} need cdk-nag 3 instead: compat/cdk-nag-v3
 * compiles them.
 */
class ReadmeSnippetsTest {

  /** Tags this build leaves to another: the build that compiles them says so in its tests. */
  private static final Set<String> COMPILED_ELSEWHERE = Set.of("cdk-nag-3");

  static List<String> readmes() {
    return List.of("README.md", "task-status-client/README.md", "task-status-testing/README.md");
  }

  /** The test classpath as surefire gives it (its manifest-only jar is not for javac). */
  private static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /** A Markdown file of the given lines in {@code dir}. */
  private static Path markdown(Path dir, String... lines) throws IOException {
    Path readme = dir.resolve("README.md");
    Files.writeString(readme, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return readme;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readmes")
  void everyJavaSnippetCompilesAsAWholeFile(String readme) {
    List<Block> blocks =
        JavaSnippets.read(Path.of(readme)).stream().filter(b -> b.tag().isEmpty()).toList();

    assertThat(blocks).as("%s has Java snippets", readme).isNotEmpty();
    List<String> problems = JavaSnippets.compile(blocks, classpath());
    assertThat(problems)
        .as("%s: every Java snippet compiles:%n%s", readme, String.join("\n", problems))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readmes")
  void everyTagNamesTheBuildThatCompilesTheSnippet(String readme) {
    assertThat(JavaSnippets.read(Path.of(readme)))
        .extracting(Block::tag)
        .allMatch(tag -> tag.isEmpty() || COMPILED_ELSEWHERE.contains(tag));
  }

  @Test
  void aBrokenSnippetIsReportedWithItsReadmeLineAndTheCompilersMessage(@TempDir Path dir)
      throws IOException {
    Path readme =
        markdown(
            dir,
            "# Title",
            "",
            "  ```java",
            "  package com.example;",
            "",
            "  public class Broken {",
            "    int size = undefined.size();",
            "  }",
            "  ```",
            "",
            "```java",
            "tasks.grantStartTask(appRole);",
            "```");

    List<String> problems = JavaSnippets.compile(JavaSnippets.read(readme), classpath());

    assertThat(problems)
        .containsExactly(
            readme
                + ":12: error: a Java snippet must be a whole file: its package, its imports and a"
                + " top-level class, interface, record or enum",
            readme
                + ":7: error: cannot find symbol\n  symbol:   variable undefined\n"
                + "  location: class com.example.Broken");
  }

  @Test
  void snippetsOfOneFileSeeEachOtherAndDeprecatedApiIsAProblem(@TempDir Path dir)
      throws IOException {
    Path readme =
        markdown(
            dir,
            "```java",
            "package com.example;",
            "",
            "public record Meal(String name) {}",
            "```",
            "",
            "```java",
            "package com.example;",
            "",
            "public class Kitchen {",
            "  Meal breakfast = new Meal(\"Breakfast\");",
            "  Integer answer = new Integer(42);",
            "}",
            "```");

    assertThat(JavaSnippets.compile(JavaSnippets.read(readme), classpath()))
        .singleElement()
        .asString()
        .isEqualTo(
            readme
                + ":12: warning: Integer(int) in java.lang.Integer has been deprecated and marked"
                + " for removal");
  }
}
