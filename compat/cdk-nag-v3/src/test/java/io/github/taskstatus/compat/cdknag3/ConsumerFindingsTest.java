package io.github.taskstatus.compat.cdknag3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.github.taskstatus.TaskStatusWorkflow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.stepfunctions.tasks.CallAwsService;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * The checks do run, and the library's acknowledgments stay on the library's resources: a
 * consumer's own function next to the workflow gets exactly its own findings, including the very
 * finding (AwsSolutions-IAM5 for {@code Resource::*}) that the library acknowledges on its roles
 * (aws/aws-cdk#38495 would let a plain acknowledgment id hide it app-wide). The statements the
 * consumer's {@code work} brings land in the state machine role's {@code DefaultPolicy}, which the
 * library acknowledges nothing on: their wildcards are reported, and the consumer acknowledges them
 * as cdk-nag 3 documents, with {@code Validations.of(...).acknowledge(...)}.
 */
class ConsumerFindingsTest {

  /** The consumer's function, imported so that its own findings do not mix with the work's. */
  private static final String COOK_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:cook";

  @TempDir Path outdir;

  @TempDir Path code;

  @Test
  void aConsumersFunctionGetsExactlyItsOwnFindings() throws IOException {
    CheckedApp app = new CheckedApp(outdir);
    Stack stack = app.stack();
    new TaskStatusWorkflow(stack, "Tasks");
    addConsumerFunction(stack);

    CheckedApp.Report report = app.synth();

    assertThat(report.synthFailed()).as("synthesis failed").isTrue();
    // Exactly these two: nothing on the workflow's resources, nothing hidden on the consumer's.
    assertThat(report.findings())
        .as("findings, expected only the consumer's function's own")
        .extracting(
            CheckedApp.Finding::plugin, CheckedApp.Finding::rule, CheckedApp.Finding::constructPath)
        .containsExactlyInAnyOrder(
            tuple(
                "AwsSolutions",
                "AwsSolutions-IAM5[Resource::*]",
                "Consumer/ReportRole/DefaultPolicy/Resource"),
            tuple("Serverless", "Serverless-LambdaDLQ", "Consumer/Report/Resource"));
    assertThat(report.acknowledged())
        .as("findings that CDK matched to an acknowledgment anywhere in the app")
        .isEmpty();
  }

  @Test
  void aWildcardInTheConsumersWorkIsReportedOnTheStateMachinesDefaultPolicy() {
    CheckedApp app = new CheckedApp(outdir);
    Stack stack = app.stack();
    TaskStatusWorkflow.Builder.create(stack, "Tasks").work(deleteAnything(stack)).build();

    CheckedApp.Report report = app.synth();

    assertOnlyTheWorksFinding(
        report, "AwsSolutions-IAM5[Resource::*]", "Consumer/Tasks/StateMachine/Role/DefaultPolicy");
  }

  @Test
  void theLambdaInvokeGrantOfTheReadmesCookingExampleIsReportedToo() {
    CheckedApp app = new CheckedApp(outdir);
    Stack stack = app.stack();
    TaskStatusWorkflow.Builder.create(stack, "Cooking").work(cook(stack)).build();

    CheckedApp.Report report = app.synth();

    assertOnlyTheWorksFinding(
        report,
        "AwsSolutions-IAM5[Resource::" + COOK_ARN + ":*]",
        "Consumer/Cooking/StateMachine/Role/DefaultPolicy");
  }

  @Test
  void theConsumerAcknowledgesTheirOwnFindingAsTheReadmeShows() {
    CheckedApp app = new CheckedApp(outdir);
    Stack stack = app.stack();
    TaskStatusWorkflow cooking =
        TaskStatusWorkflow.Builder.create(stack, "Cooking").work(cook(stack)).build();
    Validations.of(cooking.getStateMachine().getRole())
        .acknowledge(
            Acknowledgment.builder()
                .id("AwsSolutions-IAM5[Resource::" + COOK_ARN + ":*]")
                .reason("Cook's versions and aliases: LambdaInvoke grants them all")
                .build());

    CheckedApp.Report report = app.synth();

    assertThat(report.findings()).as("findings").isEmpty();
    assertThat(report.synthFailed()).as("synthesis failed").isFalse();
  }

  /** The README's "Cooking" work: a LambdaInvoke of the consumer's function. */
  private static LambdaInvoke cook(Stack stack) {
    return LambdaInvoke.Builder.create(stack, "Cook")
        .lambdaFunction(Function.fromFunctionArn(stack, "CookFunction", COOK_ARN))
        .build();
  }

  /** Work that calls an AWS API on every resource: DynamoDB DeleteItem on {@code *}. */
  private static CallAwsService deleteAnything(Stack stack) {
    return CallAwsService.Builder.create(stack, "Clean")
        .service("dynamodb")
        .action("deleteItem")
        .iamResources(List.of("*"))
        .parameters(Map.of("TableName", "anything", "Key", Map.of()))
        .build();
  }

  /**
   * A function as a careful consumer writes it, with two findings left: X-Ray tracing puts {@code
   * xray:PutTraceSegments} on {@code Resource: *} (AwsSolutions-IAM5) and it has no dead-letter
   * queue (Serverless-LambdaDLQ). Its role has no managed policy, so AwsSolutions-IAM4 does not
   * apply.
   */
  private void addConsumerFunction(Stack stack) throws IOException {
    Files.writeString(code.resolve("placeholder.txt"), "the handler's code would be here");
    Role role =
        Role.Builder.create(stack, "ReportRole")
            .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
            .build();
    LogGroup logs =
        LogGroup.Builder.create(stack, "ReportLogs").retention(RetentionDays.ONE_MONTH).build();
    logs.grantWrite(role);
    Function.Builder.create(stack, "Report")
        .runtime(Runtime.JAVA_25)
        .handler("example.Report::handleRequest")
        .code(Code.fromAsset(code.toString()))
        .memorySize(512)
        .timeout(Duration.seconds(30))
        .tracing(Tracing.ACTIVE)
        .role(role)
        .logGroup(logs)
        .build();
  }

  /** The synth failed with one finding alone, the work's, on the given policy. */
  private static void assertOnlyTheWorksFinding(
      CheckedApp.Report report, String rule, String policyPath) {
    assertThat(report.synthFailed()).as("synthesis failed").isTrue();
    assertThat(report.findings())
        .as("findings, expected only the consumer's work's own")
        .extracting(
            CheckedApp.Finding::plugin, CheckedApp.Finding::rule, CheckedApp.Finding::constructPath)
        .containsExactly(tuple("AwsSolutions", rule, policyPath + "/Resource"));
  }
}
