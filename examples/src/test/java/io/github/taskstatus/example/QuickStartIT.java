package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's minimal project, as a new user makes it: every file the README marks with {@code
 * <!-- file: path -->} is written, exactly as shown, into an empty directory, which then builds and
 * runs its test ({@code mvn verify}: the README's {@code TasksStackIT} starts a task of the stack
 * on the local cloud through the test kit and sees it DONE) and synthesizes with the CDK CLI, at
 * the first try.
 */
class QuickStartIT {
  private static final Path README = Path.of("..", "README.md").toAbsolutePath().normalize();
  private static final Path LOCAL = Path.of("..", "local").toAbsolutePath().normalize();
  private static final Pattern FILE = Pattern.compile("^<!-- file: (\\S+) -->$");
  private static final Pattern FENCE = Pattern.compile("^```(\\w*)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The README's files, each the first fenced block after its marker, in README order. */
  static Map<String, String> files() throws IOException {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher marker = FILE.matcher(lines.get(i));
      if (!marker.matches()) {
        continue;
      }
      int open = i + 1;
      while (!FENCE.matcher(lines.get(open)).matches()) {
        open++;
      }
      int close = open + 1;
      while (!lines.get(close).equals("```")) {
        close++;
      }
      files.put(marker.group(1), String.join("\n", lines.subList(open + 1, close)) + "\n");
      i = close;
    }
    return files;
  }

  @Test
  void theReadmesMinimalProjectBuildsTestsAndSynthesizesAtTheFirstTry(@TempDir Path project)
      throws IOException, InterruptedException {
    Map<String, String> files = files();
    assertThat(files)
        .containsOnlyKeys(
            "pom.xml",
            "cdk.json",
            "src/main/java/com/example/TasksApp.java",
            "src/main/java/com/example/TasksStack.java",
            "src/test/java/com/example/TasksStackIT.java");
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = project.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
    }
    // Not the user's: this machine's Maven repository (and offline, if this build is), for both
    // the build below and the one the CDK CLI starts through cdk.json.
    List<String> maven = new ArrayList<>();
    maven.add("-B");
    maven.add("-Dmaven.repo.local=" + ThisBuild.mavenRepository());
    if (Boolean.getBoolean("taskstatus.maven.offline")) {
      maven.add("-o");
    }
    Files.createDirectories(project.resolve(".mvn"));
    Files.writeString(project.resolve(".mvn/maven.config"), String.join(" ", maven) + "\n");

    List<String> verify = new ArrayList<>(List.of("mvn", "verify"));
    String cache = System.getProperty("taskstatus.testing.cache");
    if (cache != null) {
      verify.add("-Dtaskstatus.testing.cache=" + cache);
    }
    Run build = run(project, verify, Map.of("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20"));
    assertThat(build.exitCode()).as(build.output()).isZero();
    assertThat(build.output())
        .contains("Running com.example.TasksStackIT")
        .containsPattern(
            "Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: .*"
                + " in com\\.example\\.TasksStackIT");

    Path node = LOCAL.resolve("node_modules/node/bin/node");
    Run synth =
        run(
            project,
            List.of(
                node.toString(),
                LOCAL.resolve("node_modules/.bin/cdk").toString(),
                "synth",
                "--no-notices"),
            Map.of("CDK_DISABLE_CLI_TELEMETRY", "1", "JSII_NODE", node.toString()));
    assertThat(synth.exitCode()).as(synth.output()).isZero();
    assertThat(project.resolve("cdk.out/Tasks.template.json")).exists();
    assertThat(synth.output())
        .doesNotContain("feature flags are not configured")
        .doesNotContain("end-of-life")
        .doesNotContainPattern("(?i)\\[warning at");
  }

  @Test
  void theReadmesCdkJsonHasTheFeatureFlagsOfTheExampleApp() throws IOException {
    JsonNode readme = JSON.readTree(files().get("cdk.json"));
    ObjectNode example = (ObjectNode) JSON.readTree(Path.of("cdk.json").toFile()).get("context");
    example.remove(ExampleStack.WAIT_SECONDS);

    assertThat(readme.get("context")).isEqualTo(example);
    assertThat(readme.get("app").asText()).isEqualTo("mvn -e -q compile exec:java");
  }

  private static Run run(Path directory, List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().putAll(environment);
    return Run.of(builder, Files.createTempFile(directory, "run", ".log"), Duration.ofMinutes(10));
  }
}
