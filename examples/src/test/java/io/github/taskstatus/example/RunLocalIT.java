package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    Run run = runScript(out, "Breakfast", "Breakfast", "Lunch", "--wait", "2");
    String output = run.output();

    assertThat(run.exitCode()).as(output).isZero();
    assertThat(output.lines().filter(l -> l.matches(".*Breakfast @ \\S+  Status = DONE")))
        .as("each start of Breakfast has an item of its own")
        .hasSize(2);
    assertThat(output).containsPattern("Lunch @ \\S+  Status = STARTED");
    assertThat(output).containsPattern("Lunch @ \\S+  Status = DONE");
    assertThat(output.strip()).endsWith("tasks=3 done=3 failed=0 cancelled=0 stuck=0");
  }

  @Test
  void anIdAfterTwoDashesMayStartWithADashAndAStarterFailureIsOneReadableLine(@TempDir Path out)
      throws IOException, InterruptedException {
    String tooLong = "x".repeat(1025);
    Run run = runScript(out, "--wait", "1", "--", "-Dessert", tooLong);
    String output = run.output();

    assertThat(run.exitCode()).as(output).isEqualTo(1);
    assertThat(output).containsPattern("-Dessert @ \\S+  Status = DONE");
    List<String> failures = output.lines().filter(l -> l.contains("the starter failed")).toList();
    assertThat(failures)
        .as(output)
        .singleElement()
        .asString()
        .matches(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  \"x{40}…\": the starter failed:"
                + " io\\.github\\.taskstatus\\.starter\\.InvalidTaskException: taskId is 1025"
                + " bytes in UTF-8; the maximum is 1024");
    assertThat(output).doesNotContain(tooLong).doesNotContain("stackTrace");
    assertThat(output.strip()).endsWith("tasks=2 done=1 failed=1 cancelled=0 stuck=0");
  }

  @Test
  void theWorkerExampleReportsProgressFinishesOneTaskAndCancelsTheOtherMidway(@TempDir Path out)
      throws IOException, InterruptedException {
    Run run = runScript(out, "--worker", "Render", "Paint", "--cancel", "Paint");
    String output = run.output();

    assertThat(run.exitCode()).as(output).isZero();
    for (String percent : List.of("25", "50", "75", "100")) {
      assertThat(output).containsPattern("Render @ \\S+  progress " + percent + "%");
    }
    assertThat(output).containsPattern("Render @ \\S+  Status = DONE");
    assertThat(output).containsPattern("Paint @ \\S+  progress 25%");
    assertThat(output)
        .containsPattern(
            "Paint @ \\S+  Status = CANCELLED \\(TaskStatus\\.Cancelled: cancelled by"
                + " run-local\\.sh --cancel\\)");
    assertThat(output).contains("worker: Render: done");
    assertThat(output.strip()).endsWith("tasks=2 done=1 failed=0 cancelled=1 stuck=0");
  }

  @Test
  void aCancelOfAnIdNotStartedOrWithoutTheWorkerIsRefused()
      throws IOException, InterruptedException {
    Run notStarted = runQuickly("--worker", "Render", "--cancel", "Paint");
    assertThat(notStarted.exitCode()).isEqualTo(2);
    assertThat(notStarted.output())
        .isEqualTo(
            "run-local: --cancel 'Paint' is not one of the task ids to start (usage: run-local.sh"
                + " [taskId...] [--wait SECONDS] [--worker [--cancel ID]] [-- taskId...])\n");
    Run withoutWorker = runQuickly("Render", "--cancel", "Render");
    assertThat(withoutWorker.exitCode()).isEqualTo(2);
    assertThat(withoutWorker.output()).startsWith("run-local: --cancel needs --worker");
  }

  @Test
  void aBadOptionIsRefusedWithTheUsage() throws IOException, InterruptedException {
    Run run = runQuickly("--wait", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output())
        .isEqualTo("run-local: --wait must be a whole number of seconds >= 1, got '0'\n");
  }

  @Test
  void anEmptyTaskIdIsRefusedBeforeAnythingSlow() throws IOException, InterruptedException {
    Run run = runQuickly("Breakfast", "");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output())
        .isEqualTo(
            "run-local: a task id must not be empty or blank, got '' (usage: run-local.sh"
                + " [taskId...] [--wait SECONDS] [--worker [--cancel ID]] [-- taskId...])\n");
  }

  @Test
  void anUnknownOptionPointsToTwoDashes() throws IOException, InterruptedException {
    Run run = runQuickly("-Dessert");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output())
        .isEqualTo(
            "run-local: unknown option -Dessert (an id that starts with '-' goes after --; usage:"
                + " run-local.sh [taskId...] [--wait SECONDS] [--worker [--cancel ID]]"
                + " [-- taskId...])\n");
  }

  /** Runs the script as a user does, with the Maven repository of this build. */
  private static Run runScript(Path out, String... arguments)
      throws IOException, InterruptedException {
    ProcessBuilder script = new ProcessBuilder(command(arguments));
    ThisBuild.shareMavenRepository(script.environment());
    return Run.of(script, out.resolve("run-local.log"), Duration.ofMinutes(5));
  }

  /** Runs the script with arguments it refuses before any build, synth or cloud: in seconds. */
  private static Run runQuickly(String... arguments) throws IOException, InterruptedException {
    Path log = Files.createTempFile("run-local", ".log");
    try {
      return Run.of(new ProcessBuilder(command(arguments)), log, Duration.ofSeconds(10));
    } finally {
      Files.delete(log);
    }
  }

  private static List<String> command(String... arguments) {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(arguments));
    return command;
  }
}
