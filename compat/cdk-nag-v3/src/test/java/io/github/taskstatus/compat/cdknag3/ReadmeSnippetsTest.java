package io.github.taskstatus.compat.cdknag3;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskstatus.snippets.JavaSnippets;
import io.github.taskstatus.snippets.JavaSnippets.Block;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's snippets that need cdk-nag 3 ({@code ```java cdk-nag-3}) compile as a reader would
 * paste them, against this build's classpath: the installed library, aws-cdk-lib and cdk-nag 3. The
 * library's own build compiles every other snippet.
 */
class ReadmeSnippetsTest {
  private static final Path README = Path.of("..", "..", "README.md");

  @Test
  void theReadmesCdkNag3SnippetsCompile() {
    List<Block> blocks =
        JavaSnippets.read(README).stream().filter(b -> b.tag().equals("cdk-nag-3")).toList();

    assertThat(blocks).as("the README's cdk-nag 3 snippets").isNotEmpty();
    List<String> problems =
        JavaSnippets.compile(
            blocks,
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    assertThat(problems)
        .as("every cdk-nag 3 snippet compiles:%n%s", String.join("\n", problems))
        .isEmpty();
  }
}
