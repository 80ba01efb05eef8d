package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/** Retention, the failed-task index, the dashboard and what a client needs. */
class StatusFeaturesTest {
  private static final Synth FEATURES =
      Synth.workflow(
          TaskStatusWorkflowProps.builder()
              .retention(Duration.days(30))
              .failedTaskIndex(true)
              .dashboard(true)
              .build());

  @Test
  void retentionTurnsOnTimeToLiveOnExpiresAt() {
    assertThat(FEATURES.only("AWS::DynamoDB::Table").at("/Properties/TimeToLiveSpecification"))
        .isEqualTo(Synth.parse("{\"AttributeName\": \"ExpiresAt\", \"Enabled\": true}"));
    assertThat(
            Synth.workflow(null)
                .only("AWS::DynamoDB::Table")
                .at("/Properties/TimeToLiveSpecification")
                .isMissingNode())
        .isTrue();
  }

  @Test
  void finishedItemsExpireWhenTheStarterSaysTheirExecutionCouldNoLongerEndPlusTheRetention() {
    JsonNode definition = FEATURES.definition();
    for (String state : new String[] {"RecordDone", "RecordFailed"}) {
      JsonNode parameters = definition.at("/States/" + state + "/Parameters");
      // The item's own expiry when it has one: a reopened item's is later, never moved back.
      assertThat(parameters.get("UpdateExpression").asText())
          .contains("ExpiresAt = if_not_exists(ExpiresAt, :expiresAt)");
      assertThat(parameters.at("/ExpressionAttributeValues/:expiresAt"))
          .isEqualTo(Synth.parse("{\"N.$\": \"States.Format('{}', $.expiresAt)\"}"));
    }
    JsonNode markFailed = FEATURES.reconcilerDefinition().at("/States/MarkFailed/Parameters");
    assertThat(markFailed.get("UpdateExpression").asText())
        .contains("ExpiresAt = if_not_exists(ExpiresAt, :expiresAt)");
    assertThat(markFailed.at("/ExpressionAttributeValues/:expiresAt/N.$").asText())
        .isEqualTo("States.Format('{}', $.task.expiresAt)");
  }

  @Test
  void aReopenedItemExpiresARedriveWindowAndATimeoutLaterThanTheAttemptBefore() {
    // The default timeout of the default wait (30 s): 30 s + 300 s for the DynamoDB steps.
    long timeout = FEATURES.definition().get("TimeoutSeconds").asLong();
    String extension = Long.toString(14L * 24 * 3600 + timeout);
    for (JsonNode reopen :
        new JsonNode[] {
          FEATURES.definition().at("/States/ReopenForRedrive/Parameters"),
          FEATURES.reconcilerDefinition().at("/States/ReopenRedrivenItem/Parameters")
        }) {
      assertThat(reopen.get("UpdateExpression").asText())
          .contains("ExpiresAt = if_not_exists(ExpiresAt, :expiresAt) + :redriveExtension");
      assertThat(reopen.at("/ExpressionAttributeValues/:redriveExtension/N").asText())
          .isEqualTo(extension);
    }
    // Express executions are never redriven: nothing to extend.
    assertThat(
            Synth.workflow(
                    TaskStatusWorkflowProps.builder()
                        .stateMachineType(
                            software.amazon.awscdk.services.stepfunctions.StateMachineType.EXPRESS)
                        .retention(Duration.days(30))
                        .build())
                .definition()
                .toString())
        .doesNotContain(":redriveExtension");
  }

  @Test
  void theFailedTaskIndexIsSparseOverFailedItemsByUpdateTime() {
    JsonNode table = FEATURES.only("AWS::DynamoDB::Table").get("Properties");

    assertThat(table.get("GlobalSecondaryIndexes"))
        .isEqualTo(
            Synth.parse(
                """
        [{"IndexName": "FailedTasks",
          "KeySchema": [{"AttributeName": "FailedIndexKey", "KeyType": "HASH"},
                        {"AttributeName": "UpdatedAt", "KeyType": "RANGE"}],
          "Projection": {"ProjectionType": "ALL"}},
         {"IndexName": "OpenTasks",
          "KeySchema": [{"AttributeName": "OpenIndexKey", "KeyType": "HASH"},
                        {"AttributeName": "Deadline", "KeyType": "RANGE"}],
          "Projection": {"ProjectionType": "ALL"}}]"""));
    JsonNode failed = FEATURES.definition().at("/States/RecordFailed/Parameters");
    assertThat(failed.get("UpdateExpression").asText())
        .endsWith("FailedIndexKey = :failedKey, ExecutionArn = :self REMOVE OpenIndexKey");
    assertThat(failed.at("/ExpressionAttributeValues/:failedKey/S").asText()).isEqualTo("FAILED");
    assertThat(FEATURES.definition().at("/States/RecordDone/Parameters/UpdateExpression").asText())
        .doesNotContain("FailedIndexKey");
  }

  @Test
  void anExistingTableGetsWarningsForWhatOnlyItsOwnerCanConfigure() {
    Synth synth =
        Synth.stack(
            stack ->
                TaskStatusWorkflow.Builder.create(stack, "Tasks")
                    .existingTable(Table.fromTableName(stack, "Mine", "my-tasks"))
                    .retention(Duration.days(7))
                    .failedTaskIndex(true)
                    .build());

    Annotations.fromStack(synth.stack)
        .hasWarning(
            "/Test/Tasks",
            Match.stringLikeRegexp(
                "retention is set with existingTable: turn on Time to Live for"
                    + " the attribute ExpiresAt.*"));
    Annotations.fromStack(synth.stack)
        .hasWarning(
            "/Test/Tasks",
            Match.stringLikeRegexp(
                "failedTaskIndex is set with existingTable: add the global"
                    + " secondary index FailedTasks.*"));
  }

  @Test
  void theDashboardShowsTasksStarterQueuesAndReconciler() {
    String body =
        Synth.render(
            FEATURES.only("AWS::CloudWatch::Dashboard").at("/Properties/DashboardBody"), Map.of());

    assertThat(body)
        .contains(
            "\"title\":\"Tasks\"",
            "ExecutionsStarted",
            "ExecutionsSucceeded",
            "ExecutionsFailed",
            "ExecutionsTimedOut",
            "\"stat\":\"p50\"",
            "\"stat\":\"p99\"",
            "ExecutionTime",
            "\"Errors\"",
            "\"Throttles\"",
            "\"Duration\"",
            "Reconciler",
            "Starter dead letters");
    Synth queued =
        Synth.workflow(TaskStatusWorkflowProps.builder().queue(true).dashboard(true).build());
    assertThat(
            Synth.render(
                queued.only("AWS::CloudWatch::Dashboard").at("/Properties/DashboardBody"),
                Map.of()))
        .contains("ApproximateAgeOfOldestMessage", "Queue dead letters");
    Synth.workflow(null).template.resourceCountIs("AWS::CloudWatch::Dashboard", 0);
  }

  @Test
  void theClientEnvironmentNamesWhatTheClientCalls() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow direct = new TaskStatusWorkflow(stack, "Tasks");
          assertThat(direct.clientEnvironment())
              .containsOnlyKeys(
                  "TASK_STATUS_TABLE",
                  "TASK_STATUS_STARTER",
                  "TASK_STATUS_OPEN_INDEX",
                  "TASK_STATUS_RECONCILER")
              .containsEntry("TASK_STATUS_OPEN_INDEX", "OpenTasks");
          TaskStatusWorkflow queued =
              TaskStatusWorkflow.Builder.create(stack, "Queued")
                  .queue(true)
                  .failedTaskIndex(true)
                  .build();
          assertThat(queued.clientEnvironment())
              .containsOnlyKeys(
                  "TASK_STATUS_TABLE",
                  "TASK_STATUS_STARTER",
                  "TASK_STATUS_QUEUE_URL",
                  "TASK_STATUS_FAILED_INDEX",
                  "TASK_STATUS_OPEN_INDEX",
                  "TASK_STATUS_RECONCILER")
              .containsEntry("TASK_STATUS_FAILED_INDEX", "FailedTasks");
          TaskStatusWorkflow unswept =
              TaskStatusWorkflow.Builder.create(stack, "Unswept")
                  .sweeper(false)
                  .stateMachineType(StateMachineType.EXPRESS)
                  .build();
          assertThat(unswept.clientEnvironment())
              .as("no sweeper's index; an Express workflow cannot be cancelled, so no reconciler")
              .containsOnlyKeys("TASK_STATUS_TABLE", "TASK_STATUS_STARTER");
          TaskStatusWorkflow worked =
              TaskStatusWorkflow.Builder.create(stack, "Worked")
                  .worker(TaskWorkerOptions.builder().build())
                  .build();
          assertThat(worked.clientEnvironment())
              .containsKey("TASK_STATUS_WORKER_QUEUE_URL")
              .containsEntry("TASK_STATUS_RECONCILER", worked.getReconciler().getStateMachineArn());
        });
  }

  @Test
  void grantReadStatusAllowsExactlyTheClientsReadsOnTheTableAndItsIndexes() {
    Synth synth =
        Synth.stack(
            stack -> {
              Key key = Synth.key(stack);
              TaskStatusWorkflow workflow =
                  TaskStatusWorkflow.Builder.create(stack, "Tasks")
                      .encryptionKey(key)
                      .failedTaskIndex(true)
                      .build();
              workflow.grantReadStatus(Synth.role(stack, "Reader"));
            });

    assertThat(SecurityTest.statements(synth, "Reader"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": "kms:Decrypt", "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}},
         {"Action": "dynamodb:Query", "Effect": "Allow",
          "Resource": [{"Fn::GetAtt": ["TasksTable45D1B62D", "Arn"]},
                       {"Fn::Join": ["", [{"Fn::GetAtt": ["TasksTable45D1B62D", "Arn"]},
                                          "/index/FailedTasks"]]},
                       {"Fn::Join": ["", [{"Fn::GetAtt": ["TasksTable45D1B62D", "Arn"]},
                                          "/index/OpenTasks"]]}]}]"""));
  }

  @Test
  void grantReadStatusNamesTheFailedTaskIndexOfAnExistingTableCdkKnowsNoIndexesOf() {
    Synth synth =
        Synth.stack(
            stack -> {
              TaskStatusWorkflow workflow =
                  TaskStatusWorkflow.Builder.create(stack, "Tasks")
                      .existingTable(Table.fromTableName(stack, "Orders", "orders-tasks"))
                      .failedTaskIndex(true)
                      .build();
              workflow.grantReadStatus(Synth.role(stack, "Reader"));
            });

    assertThat(SecurityTest.statements(synth, "Reader").toString())
        .contains("\"Action\":\"dynamodb:Query\"")
        .contains(":table/orders-tasks\"")
        .contains(":table/orders-tasks/index/FailedTasks\"")
        .doesNotContain("index/*");
  }

  @Test
  void grantStartTaskAllowsExactlyWhatTheClientsStartCalls() {
    Synth synth =
        Synth.stack(
            stack -> {
              TaskStatusWorkflow queued =
                  TaskStatusWorkflow.Builder.create(stack, "Tasks").queue(true).build();
              queued.grantStartTask(Synth.role(stack, "Producer"));
            });

    assertThat(SecurityTest.statements(synth, "Producer"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": "sqs:SendMessage", "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["TasksQueue3D28C8B1", "Arn"]}}]"""
                    .replace(
                        "TasksQueue3D28C8B1", synth.logicalId("AWS::SQS::Queue", "TasksQueue"))));
  }

  @Test
  void grantRedriveDeadLettersAllowsExactlyWhatSqsRedriveNeeds() {
    Synth synth =
        Synth.stack(
            stack -> {
              Key key = Synth.key(stack);
              TaskStatusWorkflow queued =
                  TaskStatusWorkflow.Builder.create(stack, "Tasks")
                      .queue(true)
                      .encryptionKey(key)
                      .build();
              queued.grantRedriveDeadLetters(Synth.role(stack, "Operator"));
            });
    String queue = synth.logicalId("AWS::SQS::Queue", "TasksQueue");
    String deadLetter = synth.logicalId("AWS::SQS::Queue", "TasksDeadLetterQueue");

    assertThat(SecurityTest.statements(synth, "Operator"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}},
         {"Action": "sqs:SendMessage", "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["QUEUE", "Arn"]}},
         {"Action": ["sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks",
                     "sqs:CancelMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                     "sqs:GetQueueAttributes"], "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["DEAD_LETTER", "Arn"]}}]"""
                    .replace("DEAD_LETTER", deadLetter)
                    .replace("QUEUE", queue)));
  }

  @Test
  void grantRedriveDeadLettersNeedsADeadLetterQueueItKnows() {
    Synth.stack(
        stack -> {
          TaskStatusWorkflow direct = TaskStatusWorkflow.Builder.create(stack, "Direct").build();
          assertThatThrownBy(() -> direct.grantRedriveDeadLetters(new AccountRootPrincipal()))
              .isInstanceOf(IllegalStateException.class)
              .hasMessage("grantRedriveDeadLetters needs queue mode: set queue(true)");
          TaskStatusWorkflow existing =
              TaskStatusWorkflow.Builder.create(stack, "Existing")
                  .existingQueue(
                      Queue.fromQueueArn(
                          stack, "Theirs", "arn:aws:sqs:eu-west-1:123456789012:theirs"))
                  .build();
          assertThatThrownBy(() -> existing.grantRedriveDeadLetters(new AccountRootPrincipal()))
              .isInstanceOf(IllegalStateException.class)
              .hasMessageStartingWith(
                  "grantRedriveDeadLetters needs a dead-letter queue this" + " construct knows");
        });
  }
}
