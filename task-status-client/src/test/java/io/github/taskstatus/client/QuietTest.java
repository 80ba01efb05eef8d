package io.github.taskstatus.client;

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
 * A plain application using the client prints nothing on its own: the AWS SDK logs through SLF4J,
 * and the client brings SLF4J 2 with its java.util.logging provider, so SLF4J has a provider and no
 * "Failed to load class StaticLoggerBinder" or "No SLF4J providers were found" warning.
 */
class QuietTest {
  private static final String RUNTIME_CLASSPATH =
      System.getProperty("taskstatus.client.runtime-classpath");

  @Test
  void aPlainApplicationWritesNothingToStandardError(@TempDir Path home)
      throws IOException, InterruptedException {
    try (FakeAws aws = new FakeAws()) {
      aws.dynamoDb()
          .put(Items.item("Breakfast", "1795617326.1234", "STARTED", "2026-11-23T10:35:26Z", "B"));
      aws.starter(
          payload ->
              FakeAws.started(
                  "{\"taskId\":\"Breakfast\",\"timestamp\":1795617326.1234,"
                      + "\"executionArn\":\""
                      + Items.ARN_PREFIX
                      + "B\",\"executionName\":\"B\",\"duplicate\":false}"));
      String classpath =
          String.join(
              java.io.File.pathSeparator,
              Path.of("target/classes").toAbsolutePath().toString(),
              Path.of("target/test-classes").toAbsolutePath().toString(),
              Files.readString(Path.of(RUNTIME_CLASSPATH), StandardCharsets.UTF_8).strip());
      Path stderr = home.resolve("stderr.txt");
      Process app =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-cp",
                      classpath,
                      // The default chains, as in any application, but no files of this machine.
                      "-Duser.home=" + home,
                      "-Daws.accessKeyId=AKIDEXAMPLE",
                      "-Daws.secretAccessKey=secret",
                      "-Daws.endpointUrl=" + aws.endpoint(),
                      PlainApp.class.getName(),
                      FakeAws.STARTER))
              .redirectError(stderr.toFile())
              .start();
      String stdout = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(app.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(app.exitValue()).as(Files.readString(stderr)).isZero();
      assertThat(stdout).isEqualTo("started " + Items.ARN_PREFIX + "B\nlatest STARTED\n");
      assertThat(Files.readString(stderr, StandardCharsets.UTF_8)).isEmpty();
    }
  }
}
