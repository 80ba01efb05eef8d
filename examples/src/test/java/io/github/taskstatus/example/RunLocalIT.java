package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, as a user runs it: {@code examples/run-local.sh} synthesizes this app
 * with the CDK CLI, deploys it to the local cloud, starts the tasks at once through the starter and
 * follows every item from STARTED to DONE.
 */
class RunLocalIT {
  private static final Path SCRIPT = Path.of("run-local.sh").toAbsolutePath();

  @Test
  void threeStartsIncludingTwoOfOneTaskEachEndDoneInItsOwnItem(@TempDir Path out)
      throws IOException, InterruptedException {
    Path log = out.resolve("run-local.log");
    Process process =
        new ProcessBuilder(
                List.of(
                    "bash", SCRIPT.toString(), "Breakfast", "Breakfast", "Lunch", "--wait", "2"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);

    assertThat(finished).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output.lines().filter(l -> l.matches(".*Breakfast @ \\S+  Status = DONE")))
        .as("each start of Breakfast has an item of its own")
        .hasSize(2);
    assertThat(output).containsPattern("Lunch @ \\S+  Status = STARTED");
    assertThat(output).containsPattern("Lunch @ \\S+  Status = DONE");
    assertThat(output.strip()).endsWith("tasks=3 done=3 failed=0 stuck=0");
  }

  @Test
  void aBadOptionIsRefusedWithTheUsage() throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(List.of("bash", SCRIPT.toString(), "--wait", "0"))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output).contains("--wait must be a whole number of seconds >= 1, got '0'");
  }
}
