package io.github.taskstatus.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStatus;
import io.github.taskstatus.client.TaskStatusClient;
import io.github.taskstatus.testing.LocalTaskCloud;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awscdk.StackProps;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * The example stack on the local cloud through task-status-testing, as a user tests their own app:
 * a task started with the client the kit hands out ends DONE, and the example's application, {@link
 * StartAndAwait}, runs against the same stack with nothing but the environment an application gets
 * on AWS (the stack's outputs, an endpoint, a region and credentials).
 */
class ExampleStackIT {

  @RegisterExtension
  static final LocalTaskCloud cloud =
      LocalTaskCloud.builder(
              app -> new ExampleStack(app, "TaskStatusExample", StackProps.builder().build()))
          .context(ExampleStack.WAIT_SECONDS, "2")
          .build();

  @Test
  void aTaskStartedWithTheKitsClientEndsDone() {
    TaskStatusClient tasks = cloud.client();

    TaskRecord end = tasks.await(tasks.start("Breakfast"), Duration.ofMinutes(2));

    assertThat(end.status()).isEqualTo(TaskStatus.DONE);
    assertThat(tasks.history("Breakfast")).containsExactly(end);
  }

  @Test
  void theExampleApplicationStartsAndAwaitsATaskWithTheStacksOutputs()
      throws IOException, InterruptedException {
    AwsCredentials credentials = cloud.credentials().resolveCredentials();
    ProcessBuilder application =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    StartAndAwait.class.getName(),
                    "Lunch"))
            .redirectErrorStream(true);
    Map<String, String> environment = application.environment();
    environment.put("TASK_STATUS_TABLE", cloud.outputs().get("TASKSTATUSTABLE"));
    environment.put("TASK_STATUS_STARTER", cloud.outputs().get("TASKSTATUSSTARTER"));
    environment.put("AWS_ENDPOINT_URL", cloud.endpoint().toString());
    environment.put("AWS_REGION", cloud.region().id());
    environment.put("AWS_ACCESS_KEY_ID", credentials.accessKeyId());
    environment.put("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey());
    Process process = application.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).startsWith("started Lunch as arn:aws:states:").contains("Lunch ended DONE");
  }
}
