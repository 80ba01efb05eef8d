package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example synthesizes with the CDK CLI's {@code --strict}, which fails on any warning, and
 * without the CLI's notice about unconfigured feature flags: cdk.json carries the recommended ones.
 * Uses the CDK CLI pinned in local/ (installed by the root build's integration tests).
 */
class StrictSynthTest {
  private static final Path LOCAL = Path.of("..", "local").toAbsolutePath().normalize();

  @Test
  void theExampleSynthesizesStrictlyWithoutAFeatureFlagNotice(@TempDir Path out)
      throws IOException, InterruptedException {
    Path node = LOCAL.resolve("node_modules/node/bin/node");
    Path cdk = LOCAL.resolve("node_modules/.bin/cdk");
    Assumptions.assumeTrue(
        Files.isExecutable(node) && Files.exists(cdk),
        "the CDK CLI is installed in local/ by the root build ('npm ci')");
    Path log = out.resolve("synth.log");
    ProcessBuilder synth =
        new ProcessBuilder(
                node.toString(),
                cdk.toString(),
                "synth",
                "--strict",
                "--output",
                out.resolve("cdk.out").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    synth.environment().put("CDK_DISABLE_CLI_TELEMETRY", "1");
    synth.environment().put("JSII_NODE", node.toString());
    ThisBuild.shareMavenRepository(synth.environment());
    Process process = synth.start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("cdk synth finished").isTrue();

    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("Successfully synthesized")
        .doesNotContain("feature flags are not configured")
        // The CLI prints a construct's warnings as "[Warning at /Stack/Path] ..."; the JVM's own
        // warnings about Maven (sun.misc.Unsafe on JDK 24+) are not the app's.
        .doesNotContainPattern("(?i)\\[warning at");
    assertThat(out.resolve("cdk.out/TaskStatusExample.template.json")).exists();
  }
}
