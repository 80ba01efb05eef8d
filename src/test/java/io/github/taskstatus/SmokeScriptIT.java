package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.stepfunctions.Fail;

/**
 * examples/smoke.sh, run with the real AWS CLI against this machine: local-cloud.mjs answers
 * the CLI's DescribeStacks and Lambda Invoke (running the embedded starter jar) and its local
 * DynamoDB answers GetItem. Skipped where the AWS CLI is not installed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SmokeScriptIT {
  private static final Path SMOKE = Path.of(System.getProperty("taskstatus.examples.dir", "examples"), "smoke.sh");

  @BeforeAll
  static void needsTheAwsCli() throws Exception {
    Process probe;
    try {
      probe = new ProcessBuilder("aws", "--version").redirectErrorStream(true).start();
    } catch (IOException e) {
      probe = null;
    }
    Assumptions.assumeTrue(probe != null && probe.waitFor(60, TimeUnit.SECONDS)
        && probe.exitValue() == 0, "the AWS CLI ('aws') is not installed");
  }

  /** A workflow with the two outputs smoke.sh reads, as the example stack has them. */
  private static Synth stackWithOutputs(Function<Stack, TaskStatusWorkflowProps> props) {
    return Synth.stack(stack -> {
      TaskStatusWorkflow tasks = new TaskStatusWorkflow(stack, "Tasks", props.apply(stack));
      CfnOutput.Builder.create(stack, "StarterFunctionName")
          .value(tasks.getStarterFunction().getFunctionName()).build();
      CfnOutput.Builder.create(stack, "TableName").value(tasks.getTable().getTableName()).build();
    });
  }

  private record Result(int exitCode, String output) {}

  private static Result smoke(Synth synth, String taskId) throws Exception {
    try (LocalWorkflow local = LocalWorkflow.start(synth, "--starter-jar",
        StarterCode.extractedJar().toString(), "--stack-name", "Test")) {
      Path log = Files.createTempFile("smoke", ".log");
      try {
        ProcessBuilder builder = new ProcessBuilder("bash", SMOKE.toString(), "--stack", "Test",
            "--task", taskId, "--timeout", "60")
            .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("AWS_ENDPOINT_URL_CLOUDFORMATION", local.accountEndpoint.toString());
        env.put("AWS_ENDPOINT_URL_LAMBDA", local.accountEndpoint.toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", local.dynamodbEndpoint.toString());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.remove("AWS_PROFILE");
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("smoke.sh did not finish: " + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    }
  }

  @Test
  void smokeFollowsATaskFromStartedToDoneAndSucceeds() throws Exception {
    Result result = smoke(stackWithOutputs(stack -> TaskStatusWorkflowProps.builder()
        .waitDuration(software.amazon.awscdk.Duration.seconds(3)).build()), "Smoke");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("invoking local-starter:live with {\"taskId\": \"Smoke\"}")
        .contains("Status = STARTED").contains("Status = DONE");
    assertThat(result.output().indexOf("Status = STARTED"))
        .isLessThan(result.output().indexOf("Status = DONE"));
  }

  @Test
  void smokeFailsAndShowsTheCauseWhenTheTaskFails() throws Exception {
    Result result = smoke(stackWithOutputs(stack -> TaskStatusWorkflowProps.builder()
        .work(Fail.Builder.create(stack, "Burn").error("OvenOnFire").cause("the toast burned")
            .build()).build()), "Toast");

    assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
    assertThat(result.output()).contains("Status = FAILED").contains("OvenOnFire")
        .contains("the toast burned");
  }
}
