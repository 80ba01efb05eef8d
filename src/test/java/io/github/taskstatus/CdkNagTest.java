package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.ServerlessChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.tasks.CallAwsService;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * With cdk-nag 2 (the version pinned here) nothing is found, with the AwsSolutions and the
 * Serverless packs, whatever the configuration; cdk-nag 3 is checked the same way in
 * compat/cdk-nag-v3.
 */
class CdkNagTest {

  /** Every AwsSolutions and Serverless finding, error or warning, as "path: message". */
  private static List<String> findings(Consumer<Stack> body) {
    Synth synth =
        Synth.stack(
            stack -> {
              body.accept(stack);
              Aspects.of(stack).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
              Aspects.of(stack).add(ServerlessChecks.Builder.create().verbose(true).build());
            });
    Annotations annotations = Annotations.fromStack(synth.stack);
    List<SynthesisMessage> messages = new ArrayList<>();
    for (String pack : List.of("AwsSolutions-.*", "Serverless-.*")) {
      messages.addAll(annotations.findError("*", Match.stringLikeRegexp(pack)));
      messages.addAll(annotations.findWarning("*", Match.stringLikeRegexp(pack)));
    }
    return messages.stream().map(m -> m.getId() + ": " + m.getEntry().getData()).toList();
  }

  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of("defaults", (Consumer<Stack>) stack -> new TaskStatusWorkflow(stack, "Tasks")),
        Arguments.of(
            "queue mode",
            (Consumer<Stack>)
                stack -> TaskStatusWorkflow.Builder.create(stack, "Tasks").queue(true).build()),
        Arguments.of(
            "snapStart(false)",
            (Consumer<Stack>)
                stack ->
                    TaskStatusWorkflow.Builder.create(stack, "Tasks").snapStart(false).build()),
        Arguments.of(
            "EXPRESS",
            (Consumer<Stack>)
                stack ->
                    TaskStatusWorkflow.Builder.create(stack, "Tasks")
                        .stateMachineType(StateMachineType.EXPRESS)
                        .build()),
        Arguments.of(
            "EXPRESS with a key",
            (Consumer<Stack>)
                stack ->
                    TaskStatusWorkflow.Builder.create(stack, "Tasks")
                        .stateMachineType(StateMachineType.EXPRESS)
                        .encryptionKey(Synth.key(stack))
                        .build()),
        Arguments.of(
            "every feature",
            (Consumer<Stack>)
                stack -> {
                  Key key = Synth.key(stack);
                  Topic topic =
                      Topic.Builder.create(stack, "Ops").masterKey(key).enforceSsl(true).build();
                  TaskStatusWorkflow.Builder.create(stack, "Tasks")
                      .encryptionKey(key)
                      .alarmTopic(topic)
                      .includeExecutionData(true)
                      .logRetention(RetentionDays.ONE_YEAR)
                      .queue(true)
                      .work(Pass.Builder.create(stack, "Cook").build())
                      .retention(software.amazon.awscdk.Duration.days(30))
                      .failedTaskIndex(true)
                      .dashboard(true)
                      .statusEvents(true)
                      .build();
                }),
        Arguments.of(
            "a worker, status events, a key and the app and worker grants",
            (Consumer<Stack>)
                stack -> {
                  TaskStatusWorkflow tasks =
                      TaskStatusWorkflow.Builder.create(stack, "Tasks")
                          .encryptionKey(Synth.key(stack))
                          .worker(TaskWorkerOptions.builder().build())
                          .statusEvents(true)
                          .build();
                  Role app = Synth.role(stack, "App");
                  tasks.grantStartTask(app);
                  tasks.grantReadStatus(app);
                  tasks.grantWork(Synth.role(stack, "Worker"));
                }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void cdkNagFindsNothingWithEitherPack(String name, Consumer<Stack> configuration) {
    assertThat(findings(configuration)).isEmpty();
  }

  @Test
  void theChecksDoRunAndFlagAWeakerConfiguration() {
    assertThat(
            findings(
                stack ->
                    new TaskStatusWorkflow(
                        stack, "Tasks", TaskStatusWorkflowProps.builder().tracing(false).build())))
        .anySatisfy(f -> assertThat(f).contains("AwsSolutions-SF2"))
        .anySatisfy(f -> assertThat(f).contains("Serverless-StepFunctionStateMachineXray"));
  }

  @Test
  void grantRedriveAndGrantCancelBringTheExecutionsFindingToYourRoleAlone() {
    List<String> findings =
        findings(
            stack -> {
              TaskStatusWorkflow tasks = new TaskStatusWorkflow(stack, "Tasks");
              Role app = Synth.role(stack, "App");
              tasks.grantRedrive(app);
              tasks.grantCancel(app);
            });
    assertThat(findings)
        .singleElement()
        .asString()
        .startsWith(
            "/Test/App/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>"
                + ":states:eu-west-1:123456789012:execution:{\"Fn::Select\":[6,{\"Fn::Split\":"
                + "[\":\",{\"Ref\":\"TasksStateMachineA4CB7752\"}]}]}:*]");
  }

  /** The user's function, imported so that its own findings do not mix with the workflow's. */
  static final String COOK_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:cook";

  /** The README's "Cooking" work: a LambdaInvoke of the user's function. */
  static LambdaInvoke cook(Stack stack) {
    IFunction cook = Function.fromFunctionArn(stack, "CookFunction", COOK_ARN);
    return LambdaInvoke.Builder.create(stack, "Cook").lambdaFunction(cook).build();
  }

  /** Work that calls an AWS API on every resource: DynamoDB DeleteItem on {@code *}. */
  static CallAwsService deleteAnything(Stack stack) {
    return CallAwsService.Builder.create(stack, "Clean")
        .service("dynamodb")
        .action("deleteItem")
        .iamResources(List.of("*"))
        .parameters(Map.of("TableName", "anything", "Key", Map.of()))
        .build();
  }

  private static List<String> withWork(java.util.function.Function<Stack, IChainable> work) {
    return findings(
        stack -> TaskStatusWorkflow.Builder.create(stack, "Tasks").work(work.apply(stack)).build());
  }

  @Test
  void aWildcardInTheUsersWorkIsReportedOnTheStateMachinesDefaultPolicy() {
    assertThat(withWork(CdkNagTest::deleteAnything))
        .singleElement(STRING)
        .startsWith(
            "/Test/Tasks/StateMachine/Role/DefaultPolicy/Resource:"
                + " AwsSolutions-IAM5[Resource::*]:");
  }

  @Test
  void theLambdaInvokeGrantOfTheReadmesCookingExampleIsReportedToo() {
    assertThat(withWork(CdkNagTest::cook))
        .singleElement(STRING)
        .startsWith(
            "/Test/Tasks/StateMachine/Role/DefaultPolicy/Resource:"
                + " AwsSolutions-IAM5[Resource::"
                + COOK_ARN
                + ":*]:");
  }

  @Test
  void theUserAcknowledgesTheirOwnFindingWithNagSuppressionsAsTheReadmeShows() {
    assertThat(
            findings(
                stack -> {
                  TaskStatusWorkflow cooking =
                      TaskStatusWorkflow.Builder.create(stack, "Tasks").work(cook(stack)).build();
                  NagSuppressions.addResourceSuppressions(
                      cooking.getStateMachine().getRole(),
                      List.of(
                          NagPackSuppression.builder()
                              .id("AwsSolutions-IAM5")
                              .reason("Cook's versions and aliases: LambdaInvoke grants them all")
                              .appliesTo(List.of("Resource::" + COOK_ARN + ":*"))
                              .build()),
                      true);
                }))
        .isEmpty();
  }

  @Test
  void theConstructsAcknowledgmentsDoNotHideTheConsumersOwnFindings() {
    List<String> found =
        findings(
            stack -> {
              new TaskStatusWorkflow(stack, "Tasks");
              Function.Builder.create(stack, "Mine")
                  .runtime(Runtime.JAVA_25)
                  .handler("x.H::h")
                  .code(Code.fromAsset(StarterCode.extractedJar().toString()))
                  .tracing(Tracing.ACTIVE)
                  .build();
            });

    assertThat(found).isNotEmpty().allSatisfy(f -> assertThat(f).startsWith("/Test/Mine/"));
    assertThat(found)
        .anySatisfy(f -> assertThat(f).contains("AwsSolutions-IAM5[Resource::*]"))
        .anySatisfy(f -> assertThat(f).contains("Serverless-LambdaDLQ"));
  }
}
