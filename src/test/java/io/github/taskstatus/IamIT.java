package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.taskstatus.client.TaskRecord;
import io.github.taskstatus.client.TaskStart;
import io.github.taskstatus.client.TaskStatus;
import io.github.taskstatus.client.TaskStatusClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.LambdaException;

/**
 * IAM evaluated in the local cloud, on a stack with every role a workflow has and two of an
 * application's: the client signed as a role given {@code grantStartTask} and {@code
 * grantReadStatus} does its job (with {@code existingTable} and {@code failedTaskIndex}, whose
 * index CDK does not know), a role without grants is refused as AWS refuses it, and after runs that
 * take every path (a start, a collision, work that fails, work that fails unseen, a start whose
 * input is not a task, an asynchronous start that fails every retry), every grant of the workflow's
 * roles was needed by one of their requests: removing it would have denied that request.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IamIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static LocalCloud cloud;

  /**
   * Work that waits, or fails (a Fail state, which a Catch sees), or fails unseen (a path the input
   * lacks: States.Runtime), as the task id says.
   */
  private static Synth stack() {
    return Synth.stack(
        stack -> {
          Table table =
              Table.Builder.create(stack, "OwnTable")
                  .partitionKey(
                      Attribute.builder().name("taskId").type(AttributeType.STRING).build())
                  .sortKey(Attribute.builder().name("timestamp").type(AttributeType.NUMBER).build())
                  .billingMode(BillingMode.PAY_PER_REQUEST)
                  .build();
          table.addGlobalSecondaryIndex(
              GlobalSecondaryIndexProps.builder()
                  .indexName("FailedTasks")
                  .partitionKey(
                      Attribute.builder().name("FailedIndexKey").type(AttributeType.STRING).build())
                  .sortKey(Attribute.builder().name("UpdatedAt").type(AttributeType.STRING).build())
                  .build());
          TaskStatusWorkflow tasks =
              new TaskStatusWorkflow(
                  stack,
                  "Tasks",
                  TaskStatusWorkflowProps.builder()
                      .existingTable(Table.fromTableName(stack, "Imported", table.getTableName()))
                      .failedTaskIndex(true)
                      .work(work(stack))
                      .build());
          Role app = Synth.role(stack, "App");
          tasks.grantStartTask(app);
          tasks.grantReadStatus(app);
          Synth.role(stack, "Stranger");
        });
  }

  private static Choice work(Stack stack) {
    return Choice.Builder.create(stack, "WhatToDo")
        .build()
        .when(Condition.stringMatches("$.taskId", "Burn*"), Synth.failingWork(stack))
        .when(
            Condition.stringMatches("$.taskId", "Unseen*"),
            Pass.Builder.create(stack, "Misread")
                .parameters(Map.of("oven", JsonPath.stringAt("$.no.such.path")))
                .build())
        .otherwise(
            Wait.Builder.create(stack, "Cook")
                .time(WaitTime.duration(software.amazon.awscdk.Duration.seconds(1)))
                .build());
  }

  @BeforeAll
  static void start() {
    cloud =
        LocalCloud.start(
            stack(),
            "--fault",
            "RecordStarted=AnotherStart:1",
            "--async-retry-ms",
            "20,20",
            "--retry-ms",
            "RecordDone=10",
            "--retry-ms",
            "RecordFailed=10");
  }

  @AfterAll
  static void stop() {
    if (cloud != null) {
      cloud.close();
    }
  }

  private static TaskStatusClient client(LocalCloud.RoleClients role) {
    return TaskStatusClient.builder()
        .tableName(cloud.tableName())
        .starterFunction(cloud.starter())
        .failedTaskIndex("FailedTasks")
        .dynamoDb(role.dynamodb())
        .lambda(role.lambda())
        .pollInterval(Duration.ofMillis(50))
        .build();
  }

  @Test
  @Order(1)
  void aRoleGivenGrantStartTaskAndGrantReadStatusStartsAwaitsAndListsFailedTasks() {
    Instant before = Instant.now().minusSeconds(1);
    try (LocalCloud.RoleClients app = cloud.as("App");
        TaskStatusClient tasks = client(app)) {
      // The first start meets another start's item (the fault) and moves to the next second.
      TaskStart moved = tasks.start("Breakfast");
      assertThat(tasks.await(moved, PATIENCE).status()).isEqualTo(TaskStatus.DONE);

      TaskStart burnt = tasks.start("Burnt toast");
      TaskRecord failed = tasks.await(burnt, PATIENCE);
      assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
      assertThat(failed.error()).hasValue("OvenOnFire");

      TaskStart unseen = tasks.start("Unseen oven");
      TaskRecord reconciled = tasks.await(unseen, PATIENCE);
      assertThat(reconciled.error()).hasValue("States.Runtime");

      // A Query on the FailedTasks index of a table CDK imported without indexes.
      assertThat(tasks.failedSince(before))
          .extracting(TaskRecord::taskId)
          .containsExactlyInAnyOrder("Burnt toast", "Unseen oven");
      // Its own item, moved a second on, and the other start's that the fault put there.
      assertThat(tasks.history("Breakfast"))
          .extracting(TaskRecord::executionArn)
          .contains(moved.executionArn().orElseThrow())
          .hasSize(2);
    }
    cloud.awaitQuiet();
  }

  @Test
  @Order(2)
  void aRoleWithoutGrantsIsRefusedEveryCallWithAccessDenied() {
    try (LocalCloud.RoleClients stranger = cloud.as("Stranger");
        TaskStatusClient tasks = client(stranger)) {
      assertThatThrownBy(() -> tasks.start("Intruder"))
          .isInstanceOf(LambdaException.class)
          .hasMessageContaining("Status Code: 403")
          .hasMessageContaining("is not authorized to perform: lambda:InvokeFunction")
          .hasMessageContaining("because no identity-based policy allows");
      assertThatThrownBy(() -> tasks.history("Breakfast"))
          .isInstanceOfSatisfying(
              DynamoDbException.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"))
          .hasMessageContaining("is not authorized to perform: dynamodb:Query");
      assertThatThrownBy(
              () ->
                  stranger
                      .sfn()
                      .startExecution(b -> b.stateMachineArn(cloud.stateMachineArn()).input("{}")))
          .isInstanceOf(SdkException.class)
          .hasMessageContaining("is not authorized to perform: states:StartExecution");
    }
    assertThat(cloud.denials())
        .extracting(d -> d.get("action").asText())
        .contains("lambda:InvokeFunction", "dynamodb:Query", "states:StartExecution");
  }

  @Test
  @Order(3)
  void inputThatIsNotATaskAndAnAsynchronousStartThatFailsEveryRetryReachTheirDeadLetterQueues() {
    // The reconciler keeps what it cannot read: the execution's input names no task.
    cloud.stepFunctions.startExecution(
        b -> b.stateMachineArn(cloud.stateMachineArn()).input("{\"not\":\"a task\"}"));
    // The starter refuses the event on every attempt: Lambda sends it to its dead-letter queue.
    cloud.lambda.invoke(
        b ->
            b.functionName(cloud.starter())
                .invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"taskId\":42}")));
    for (String queue : List.of("TasksReconcilerDeadLetterQueue", "TasksStarterDeadLetterQueue")) {
      LocalCloud.poll(
          () ->
              cloud
                  .sqs
                  .receiveMessage(b -> b.queueUrl(cloud.queueUrl(queue)).visibilityTimeout(0))
                  .messages(),
          messages -> !messages.isEmpty(),
          queue + " to hold a message");
    }
    cloud.awaitQuiet();
    assertThat(cloud.denials()).noneMatch(d -> d.at("/principal/arn").asText().contains("Tasks"));
  }

  /** The template with one action taken out of the statements of a role's policies. */
  private static JsonNode without(Synth synth, String rolePrefix, String action) {
    JsonNode template = synth.json.deepCopy();
    int removed = 0;
    for (Map.Entry<String, JsonNode> resource : template.get("Resources").properties()) {
      JsonNode roles = resource.getValue().at("/Properties/Roles");
      if (!resource.getValue().get("Type").asText().equals("AWS::IAM::Policy")
          || !roles.toString().contains("\"" + rolePrefix)) {
        continue;
      }
      for (JsonNode statement : resource.getValue().at("/Properties/PolicyDocument/Statement")) {
        JsonNode actions = statement.get("Action");
        if (actions.isTextual() && actions.asText().equals(action)) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) statement).put("Action", "none:None");
          removed++;
        } else if (actions.isArray()) {
          for (int i = actions.size() - 1; i >= 0; i--) {
            if (actions.get(i).asText().equals(action)) {
              ((com.fasterxml.jackson.databind.node.ArrayNode) actions).remove(i);
              removed++;
            }
          }
        }
      }
    }
    assertThat(removed).as("statements of %s granting %s", rolePrefix, action).isPositive();
    return template;
  }

  @Test
  @Order(4)
  void withoutStatesStartExecutionTheStarterFailsWithAccessDeniedAndNothingStarts() {
    Synth synth = Synth.workflow(TaskStatusWorkflowProps.builder().snapStart(false).build());
    try (LocalCloud denied =
        LocalCloud.start(without(synth, "TasksStarterRole", "states:StartExecution"))) {
      LocalCloud.Invocation started = denied.invoke("{\"taskId\":\"Breakfast\"}");

      assertThat(started.functionError()).isEqualTo("Unhandled");
      assertThat(started.output().get("errorType").asText())
          .isEqualTo("software.amazon.awssdk.services.sfn.model.SfnException");
      assertThat(started.output().get("errorMessage").asText())
          .contains("assumed-role/Test-TasksStarterRole")
          .contains("is not authorized to perform: states:StartExecution");
      assertThat(denied.inspect("executions")).isEmpty();
    }
  }

  @Test
  @Order(5)
  void withoutDynamodbUpdateItemTheTaskCannotFinishAndTheReconcilerMarksItFailedWithWhy() {
    Synth synth =
        Synth.workflow(
            TaskStatusWorkflowProps.builder()
                .waitDuration(software.amazon.awscdk.Duration.seconds(1))
                .build());
    try (LocalCloud denied =
        LocalCloud.start(
            without(synth, "TasksStateMachineRole", "dynamodb:UpdateItem"),
            "--retry-ms",
            "RecordDone=10",
            "--retry-ms",
            "RecordFailed=10")) {
      LocalCloud.Invocation started = denied.invoke("{\"taskId\":\"Breakfast\"}");

      var item =
          denied.awaitItem("Breakfast", started.timestamp(), LocalCloud.status("FAILED", "DONE"));
      assertThat(item.get("Status").s()).isEqualTo("FAILED");
      assertThat(item.get("Error").s()).isEqualTo("DynamoDB.AmazonDynamoDBException");
      assertThat(item.get("Cause").s())
          .contains("is not authorized to perform: dynamodb:UpdateItem");
      assertThat(denied.execution(started.executionArn()).get("retries").size())
          .as("RecordDone and RecordFailed retried the denial as AWS sends it")
          .isGreaterThanOrEqualTo(12);
    }
  }

  @Test
  @Order(6)
  void everyGrantOfTheWorkflowsRolesWasNeededByARequestOfTheseRuns() {
    List<String> unneeded = new ArrayList<>();
    int grants = 0;
    for (JsonNode grant : cloud.grants()) {
      if (!grant.get("role").asText().startsWith("Tasks")) {
        continue;
      }
      grants++;
      if (grant.get("neededBy").isEmpty()) {
        unneeded.add(
            grant.get("role").asText()
                + " "
                + grant.get("action").asText()
                + " on "
                + grant.get("resource"));
      }
    }
    assertThat(grants)
        .as("grants of the starter, the state machines and the rule")
        .isGreaterThan(30);
    assertThat(unneeded)
        .as(
            "grants of the workflow's roles that no request of these runs needed (add a run"
                + " that needs each, or remove the grant)")
        .isEmpty();
  }
}
