package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A process a test starts (a script, Maven, the CDK CLI), run to its end: its exit code and
 * everything it printed, standard error included.
 *
 * @param exitCode the exit code
 * @param output standard output and standard error, interleaved
 */
record Run(int exitCode, String output) {

  /**
   * Runs the process, its output to a log file, for at most {@code timeout}; fails the test, with
   * the output so far, if it does not end in time (it and what it started are killed).
   */
  static Run of(ProcessBuilder builder, Path log, Duration timeout)
      throws IOException, InterruptedException {
    Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("finished within %s:%n%s", timeout, output).isTrue();
    return new Run(process.exitValue(), output);
  }
}
