package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;

/**
 * The synthesized templates, checked by local/check-template.mjs against models the library did not
 * write: the CloudFormation resource specification the CDK is generated from and IAM's Service
 * Authorization Reference. Hand-made templates with one mistake each show that the check finds that
 * mistake and nothing else; then every configuration of the library must pass with no finding. Each
 * group of templates is checked by one Node process.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TemplateCheckIT {
  private static final Path CHECK = LocalCloud.HOME.resolve("check-template.mjs");

  /** A state machine, its role, a function and a table: clean, so a finding is the mistake's. */
  private static final String BASE =
      """
      "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
          "Principal": {"Service": "states.amazonaws.com"}}]}}},
      "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
        "Definition": {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}}},
      "FnRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
          "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
      "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
        "Role": {"Fn::GetAtt": ["FnRole", "Arn"]}, "Runtime": "java25", "Handler": "x.H::h",
        "Code": {"S3Bucket": "assets", "S3Key": "starter.jar"}}},
      "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}
      """;

  /** The mistakes, each in a template of its own. */
  private static final Map<String, JsonNode> MISTAKES = new LinkedHashMap<>();

  static {
    mistake(
        "unknown property",
        """
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeOut": 30}}
        """);
    mistake(
        "missing required property",
        """
        "Other": {"Type": "AWS::DynamoDB::Table", "Properties": {
          "BillingMode": "PAY_PER_REQUEST",
          "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}}
        """);
    mistake(
        "literal of the wrong kind",
        """
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": "maybe"}}
        """);
    mistake(
        "unknown attribute",
        """
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {
          "QueueName": {"Fn::GetAtt": ["Table", "TableName"]}}}
        """);
    mistake(
        "unknown action",
        statement(
            """
            {"Effect": "Allow", "Action": "states:StartExecutions", "Resource": {"Ref": "Machine"}}
            """));
    mistake(
        "wildcard matching no action",
        statement(
            """
            {"Effect": "Allow", "Action": "states:StartExecutions*", "Resource": {"Ref": "Machine"}}
            """));
    mistake(
        "resource of the wrong type",
        statement(
            """
            {"Effect": "Allow", "Action": "dynamodb:Query",
             "Resource": {"Fn::GetAtt": ["Fn", "Arn"]}}
            """));
    mistake(
        "action without resource types on an ARN",
        statement(
            """
            {"Effect": "Allow", "Action": "states:ListStateMachines", "Resource": {"Ref": "Machine"}}
            """));
    mistake(
        "task response on a resource that is no state machine",
        statement(
            """
            {"Effect": "Allow", "Action": ["states:SendTaskSuccess", "states:SendTaskFailure",
             "states:SendTaskHeartbeat"], "Resource": {"Ref": "Machine"}},
            {"Effect": "Allow", "Action": "states:SendTaskSuccess",
             "Resource": {"Fn::GetAtt": ["Table", "Arn"]}}
            """));
    mistake(
        "unknown condition key",
        statement(
            """
            {"Effect": "Allow", "Action": "states:StartExecution", "Resource": {"Ref": "Machine"},
             "Condition": {"StringEquals": {"states:ExecutionName": "x"}}}
            """));
    mistake(
        "condition key of another action",
        statement(
            """
            {"Effect": "Allow", "Action": "dynamodb:GetItem",
             "Resource": {"Fn::GetAtt": ["Table", "Arn"]},
             "Condition": {"StringEquals": {"kms:ViaService": "x"}}}
            """));
    mistake(
        "unknown condition operator",
        statement(
            """
            {"Effect": "Allow", "Action": "dynamodb:GetItem",
             "Resource": {"Fn::GetAtt": ["Table", "Arn"]},
             "Condition": {"StringEqualz": {"aws:SourceAccount": "123456789012"}}}
            """));
  }

  /** The library's configurations, each synthesized into a stack of its own. */
  private static final Map<String, Consumer<Stack>> CONFIGURATIONS = new LinkedHashMap<>();

  static {
    CONFIGURATIONS.put("defaults", stack -> new TaskStatusWorkflow(stack, "Tasks"));
    CONFIGURATIONS.put(
        "queue mode",
        stack -> TaskStatusWorkflow.Builder.create(stack, "Tasks").queue(true).build());
    CONFIGURATIONS.put(
        "EXPRESS",
        stack ->
            TaskStatusWorkflow.Builder.create(stack, "Tasks")
                .stateMachineType(StateMachineType.EXPRESS)
                .build());
    CONFIGURATIONS.put(
        "existingTable with failedTaskIndex, grants without a queue",
        stack -> {
          TaskStatusWorkflow tasks =
              TaskStatusWorkflow.Builder.create(stack, "Tasks")
                  .existingTable(Table.fromTableName(stack, "Mine", "my-tasks"))
                  .failedTaskIndex(true)
                  .build();
          Role app = Synth.role(stack, "App");
          tasks.grantStartTask(app);
          tasks.grantReadStatus(app);
        });
    CONFIGURATIONS.put(
        "custom work with a LambdaInvoke",
        stack -> {
          Function oven =
              Function.Builder.create(stack, "Oven")
                  .runtime(Runtime.JAVA_25)
                  .handler("x.H::h")
                  .code(Code.fromAsset(StarterCode.extractedJar().toString()))
                  .build();
          TaskStatusWorkflow.Builder.create(stack, "Tasks")
              .work(LambdaInvoke.Builder.create(stack, "Cook").lambdaFunction(oven).build())
              .build();
        });
    CONFIGURATIONS.put(
        "existingQueue, snapStart(false), tracing(false)",
        stack -> {
          Queue dlq = Queue.Builder.create(stack, "MineDlq").enforceSsl(true).build();
          Queue mine =
              Queue.Builder.create(stack, "Mine")
                  .visibilityTimeout(Duration.minutes(5))
                  .enforceSsl(true)
                  .deadLetterQueue(DeadLetterQueue.builder().queue(dlq).maxReceiveCount(3).build())
                  .build();
          TaskStatusWorkflow.Builder.create(stack, "Tasks")
              .existingQueue(mine)
              .snapStart(false)
              .tracing(false)
              .build();
        });
    CONFIGURATIONS.put("every feature, every grant", TemplateCheckIT::everyFeature);
    CONFIGURATIONS.put(
        "a worker, status events on a bus of their own, a key, every grant",
        stack -> {
          TaskStatusWorkflow tasks =
              TaskStatusWorkflow.Builder.create(stack, "Tasks")
                  .encryptionKey(Synth.key(stack))
                  .worker(TaskWorkerOptions.builder().build())
                  .statusEventBus(EventBus.Builder.create(stack, "Bus").build())
                  .build();
          Role app = Synth.role(stack, "App");
          tasks.grantStartTask(app);
          tasks.grantReadStatus(app);
          tasks.grantRedrive(app);
          tasks.grantCancel(app);
          tasks.grantWork(Synth.role(stack, "Worker"));
        });
  }

  private static Map<String, List<String>> mistakesFound;
  private static Run library;

  private static void mistake(String name, String resources) {
    MISTAKES.put(name, Synth.parse("{\"Resources\": {" + BASE + ", " + resources + "}}"));
  }

  /** A policy of the state machine's role with one statement. */
  private static String statement(String statement) {
    return """
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "Mistake",
          "Roles": [{"Ref": "Role"}],
          "PolicyDocument": {"Version": "2012-10-17", "Statement": [%s]}}}
        """
        .formatted(statement);
  }

  /**
   * Every optional feature on, as a consumer who wants them all builds it, and an application role
   * given every grant.
   */
  private static void everyFeature(Stack stack) {
    Key key = Synth.key(stack);
    Topic topic = Topic.Builder.create(stack, "Ops").masterKey(key).enforceSsl(true).build();
    TaskStatusWorkflow tasks =
        TaskStatusWorkflow.Builder.create(stack, "Tasks")
            .encryptionKey(key)
            .alarmTopic(topic)
            .includeExecutionData(true)
            .logRetention(RetentionDays.ONE_YEAR)
            .queue(true)
            .work(Pass.Builder.create(stack, "Cook").build())
            .retention(Duration.days(30))
            .failedTaskIndex(true)
            .dashboard(true)
            .statusEvents(true)
            .build();
    Role app = Synth.role(stack, "App");
    tasks.grantStartTask(app);
    tasks.grantReadStatus(app);
    tasks.grantSendTasks(app);
    tasks.grantRedriveDeadLetters(app);
    tasks.grantRedrive(app);
    tasks.grantCancel(app);
  }

  @BeforeAll
  static void check(@TempDir Path dir) throws Exception {
    Run mistakes = run(dir.resolve("mistakes"), MISTAKES);
    assertThat(mistakes.exitCode()).as(mistakes.output()).isEqualTo(1);
    mistakesFound = mistakes.findings();
    Map<String, JsonNode> stacks = new LinkedHashMap<>();
    CONFIGURATIONS.forEach((name, body) -> stacks.put(name, Synth.stack(body).json));
    library = run(dir.resolve("library"), stacks);
  }

  private static List<String> found(String mistake) {
    return mistakesFound.getOrDefault(mistake, List.of());
  }

  @Test
  void anUnknownPropertyIsFound() {
    assertThat(found("unknown property"))
        .singleElement()
        .asString()
        .startsWith(
            "Queue Properties.VisibilityTimeOut: AWS::SQS::Queue: unknown property"
                + " VisibilityTimeOut (the specification lists ")
        .contains("VisibilityTimeout");
  }

  @Test
  void aMissingRequiredPropertyIsFound() {
    assertThat(found("missing required property"))
        .containsExactly(
            "Other Properties.KeySchema: AWS::DynamoDB::Table: required property KeySchema is"
                + " missing");
  }

  @Test
  void aLiteralOfTheWrongKindIsFound() {
    assertThat(found("literal of the wrong kind"))
        .containsExactly(
            "Queue Properties.FifoQueue: AWS::SQS::Queue: expected a boolean, found a string"
                + " (\"maybe\")");
  }

  @Test
  void anAttributeTheTypeDoesNotHaveIsFound() {
    assertThat(found("unknown attribute"))
        .containsExactly(
            "Queue Properties.QueueName: Fn::GetAtt Table.TableName: AWS::DynamoDB::Table has no"
                + " attribute TableName (it has Arn, StreamArn)");
  }

  @Test
  void anUnknownActionIsFound() {
    assertThat(found("unknown action"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[0].Action: unknown action"
                + " states:StartExecutions");
  }

  @Test
  void aWildcardThatMatchesNoActionIsFound() {
    assertThat(found("wildcard matching no action"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[0].Action: states:StartExecutions* matches"
                + " no action of states");
  }

  @Test
  void aResourceOfAnotherTypeThanTheActionsIsFound() {
    assertThat(found("resource of the wrong type"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[0].Action: dynamodb:Query applies to index"
                + " (arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/"
                + "${IndexName}), table (arn:${Partition}:dynamodb:${Region}:${Account}:table/"
                + "${TableName}); none of the resources it is granted on is one:"
                + " arn:aws:lambda:us-east-1:000000000000:function:Test-Fn-LOCAL",
            "Policy Properties.PolicyDocument.Statement[0].Resource:"
                + " arn:aws:lambda:us-east-1:000000000000:function:Test-Fn-LOCAL is no resource"
                + " type of the actions granted on it (dynamodb:Query)");
  }

  /** IAM's reference lists no resource type for ListStateMachines: only "*" matches it. */
  @Test
  void anActionWithoutResourceTypesGrantedOnAnArnIsFound() {
    assertThat(found("action without resource types on an ARN"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[0].Action: states:ListStateMachines applies"
                + " to no resource type, so only Resource \"*\" can match it; it is granted on"
                + " arn:aws:states:us-east-1:000000000000:stateMachine:Test-Machine-LOCAL");
  }

  /**
   * The one exception to the reference: SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat have
   * no resource type in it, yet Step Functions authorizes them on the task token's state machine
   * (or activity), as {@code StateMachine.grantTaskResponse} grants them; on a state machine they
   * pass (statement 0), on anything else they are still found (statement 1).
   */
  @Test
  void taskResponsesAreAcceptedOnAStateMachineOnly() {
    assertThat(found("task response on a resource that is no state machine"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[1].Action: states:SendTaskSuccess applies"
                + " to activity (arn:${Partition}:states:${Region}:${Account}:activity:"
                + "${ActivityName}), statemachine (arn:${Partition}:states:${Region}:${Account}:"
                + "stateMachine:${StateMachineName}); none of the resources it is granted on is"
                + " one: arn:aws:dynamodb:us-east-1:000000000000:table/Test-Table-LOCAL",
            "Policy Properties.PolicyDocument.Statement[1].Resource:"
                + " arn:aws:dynamodb:us-east-1:000000000000:table/Test-Table-LOCAL is no resource"
                + " type of the actions granted on it (states:SendTaskSuccess)");
  }

  @Test
  void anUnknownConditionKeyIsFound() {
    assertThat(found("unknown condition key"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[0].Condition.StringEquals"
                + ".states:ExecutionName: unknown condition key states:ExecutionName");
  }

  @Test
  void aConditionKeyNoActionOfTheStatementHasIsFound() {
    assertThat(found("condition key of another action"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[0].Condition.StringEquals.kms:ViaService:"
                + " condition key kms:ViaService applies to none of the statement's actions"
                + " (dynamodb:GetItem)");
  }

  @Test
  void anUnknownConditionOperatorIsFound() {
    assertThat(found("unknown condition operator"))
        .containsExactly(
            "Policy Properties.PolicyDocument.Statement[0].Condition.StringEqualz: unknown"
                + " condition operator StringEqualz");
  }

  /** Imported as a module, the check returns its findings rather than printing them. */
  @Test
  void theCheckIsAlsoAFunctionReturningTheFindings(@TempDir Path dir) throws Exception {
    Path template = dir.resolve("template.json");
    Synth.JSON.writeValue(template.toFile(), MISTAKES.get("unknown action"));
    String script =
        """
        import { readFileSync } from 'node:fs';
        import { checkTemplate } from '%s';
        const findings = await checkTemplate(JSON.parse(readFileSync('%s', 'utf8')));
        console.log(JSON.stringify(findings));
        """
            .formatted(CHECK.toUri(), template);
    Process process =
        new ProcessBuilder(LocalCloud.node().toString(), "--input-type=module", "-e", script)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    JsonNode findings = Synth.parse(output);
    assertThat(findings).hasSize(1);
    assertThat(findings.get(0).get("logicalId").asText()).isEqualTo("Policy");
    assertThat(findings.get(0).get("path").asText())
        .isEqualTo("Properties.PolicyDocument.Statement[0].Action");
    assertThat(findings.get(0).get("message").asText())
        .isEqualTo("unknown action states:StartExecutions");
  }

  @Test
  void everyMistakeIsFound() {
    assertThat(mistakesFound.keySet()).containsExactlyInAnyOrderElementsOf(MISTAKES.keySet());
  }

  static Stream<String> configurations() {
    return CONFIGURATIONS.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void theLibrarysTemplateHasNoFinding(String configuration) {
    assertThat(library.checked()).contains(configuration);
    assertThat(library.findings().getOrDefault(configuration, List.of()))
        .as(library.output())
        .isEmpty();
  }

  @Test
  void theProgramExitsZeroOnCleanTemplates() {
    assertThat(library.output()).isEmpty();
    assertThat(library.exitCode()).isZero();
  }

  /**
   * What one run of the check printed: its findings by template, the templates it was given, its
   * exit code and its whole output.
   */
  private record Run(
      Map<String, List<String>> findings, List<String> checked, int exitCode, String output) {}

  /** Checks the templates with one Node process; each finding line starts with its file. */
  private static Run run(Path dir, Map<String, JsonNode> templates) throws IOException {
    Files.createDirectories(dir);
    Map<String, String> names = new LinkedHashMap<>();
    List<String> command = new ArrayList<>(List.of(LocalCloud.node().toString(), CHECK.toString()));
    int i = 0;
    for (Map.Entry<String, JsonNode> template : templates.entrySet()) {
      Path file = dir.resolve("template-" + i++ + ".json");
      Synth.JSON.writeValue(file.toFile(), template.getValue());
      names.put(file.toString(), template.getKey());
      command.add(file.toString());
    }
    Path log = dir.resolve("output.txt");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the check did not finish: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    Map<String, List<String>> findings = new LinkedHashMap<>();
    for (String line : output.lines().toList()) {
      String file =
          names.keySet().stream()
              .filter(f -> line.startsWith(f + ": "))
              .findFirst()
              .orElseThrow(() -> new AssertionError("not a finding: " + line + "\n" + output));
      findings
          .computeIfAbsent(names.get(file), k -> new ArrayList<>())
          .add(line.substring(file.length() + 2));
    }
    return new Run(findings, List.copyOf(names.values()), process.exitValue(), output);
  }
}
