package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * The reconciler: the rule for the task state machine's FAILED, TIMED_OUT and ABORTED executions,
 * its target's retries and dead-letter queue, and the Express state machine that marks the item
 * FAILED without touching a final one.
 */
class ReconcilerTest {
  private static final Synth DEFAULT = Synth.workflow(null);
  private static final JsonNode DEFINITION = DEFAULT.reconcilerDefinition();

  private static JsonNode state(String name) {
    return DEFINITION.get("States").get(name);
  }

  @Test
  void theRuleMatchesOnlyThisStateMachinesEndingsNoCatchSaw() {
    JsonNode rule = DEFAULT.only("AWS::Events::Rule").get("Properties");

    assertThat(rule.get("EventPattern"))
        .isEqualTo(
            Synth.parse(
                """
        {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
         "detail": {"stateMachineArn": [{"Ref": "TasksStateMachineA4CB7752"}],
                    "status": ["FAILED", "TIMED_OUT", "ABORTED"]}}"""));
    assertThat(rule.get("State").asText()).isEqualTo("ENABLED");
  }

  @Test
  void theTargetIsTheReconcilerWithRetriesAndADeadLetterQueue() {
    JsonNode target = DEFAULT.only("AWS::Events::Rule").at("/Properties/Targets/0");

    assertThat(target.get("Arn")).isEqualTo(Synth.parse("{\"Ref\": \"TasksReconcilerDCFA3312\"}"));
    assertThat(target.get("RetryPolicy"))
        .isEqualTo(
            Synth.parse("{\"MaximumEventAgeInSeconds\": 86400, \"MaximumRetryAttempts\": 185}"));
    assertThat(target.at("/DeadLetterConfig/Arn"))
        .isEqualTo(
            Synth.parse("{\"Fn::GetAtt\": [\"TasksReconcilerDeadLetterQueueFD1F9A7B\", \"Arn\"]}"));
  }

  @Test
  void theReconcilerIsAnExpressStateMachineThatLogsAndTraces() {
    JsonNode machine =
        DEFAULT.only("AWS::StepFunctions::StateMachine", "TasksReconciler").get("Properties");

    assertThat(machine.get("StateMachineType").asText()).isEqualTo("EXPRESS");
    assertThat(machine.at("/LoggingConfiguration/Level").asText()).isEqualTo("ALL");
    assertThat(machine.at("/TracingConfiguration/Enabled").asBoolean()).isTrue();
  }

  @Test
  void itMarksFailedOnlyAMissingItemOrThisExecutionsStartedOne() {
    JsonNode parameters = state("MarkFailed").get("Parameters");

    assertThat(parameters.get("Key"))
        .isEqualTo(
            Synth.parse(
                """
        {"taskId": {"S.$": "$.task.taskId"},
         "timestamp": {"N.$": "States.Format('{}', $.task.timestamp)"}}"""));
    assertThat(parameters.get("ConditionExpression").asText())
        .isEqualTo("attribute_not_exists(taskId) OR (ExecutionArn = :self AND #Status = :started)");
    assertThat(parameters.get("UpdateExpression").asText())
        .isEqualTo(
            "SET #Status = :status,"
                + " UpdatedAt = :updatedAt, #Error = :error, #Cause = :cause, ExecutionArn = :self");
    assertThat(parameters.at("/ExpressionAttributeValues/:self/S.$").asText())
        .isEqualTo("$.executionArn");
    assertThat(parameters.at("/ExpressionAttributeValues/:error/S.$").asText())
        .isEqualTo("$.failure.Error");
  }

  @Test
  void theTaskComesFromTheEndedExecutionsInput() {
    assertThat(state("ReadEvent").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"event.$": "$", "task.$": "States.StringToJson($.detail.input)",
         "executionArn.$": "$.detail.executionArn", "status.$": "$.detail.status",
         "move": -1}"""));
    assertThat(state("ReadEvent").get("Next").asText()).isEqualTo("IsTask");
    assertThat(state("IsTask").get("Default").asText())
        .as("an input the starter did not write is kept for a replay")
        .isEqualTo("SendToDeadLetterQueue");
    assertThat(state("IsTask").at("/Choices/0/And").toString())
        .contains("\"Variable\":\"$.task.taskId\",\"IsString\":true")
        .contains("\"Variable\":\"$.task.timestamp\",\"IsNumeric\":true");
  }

  @Test
  void aConflictTheTaskStateMachineLeftIsLeftAsItIs() {
    JsonNode first = state("Explain").at("/Choices/0");
    assertThat(first.get("Next").asText()).isEqualTo("ConflictLeftAsItIs");
    assertThat(first.toString())
        .contains("\"StringEquals\":\"FAILED\"")
        .contains("\"Variable\":\"$.event.detail.error\",\"StringEquals\":\"TaskStatusConflict\"");
    assertThat(state("ConflictLeftAsItIs").get("Type").asText()).isEqualTo("Succeed");
  }

  @Test
  void theErrorSaysWhyTheExecutionEnded() {
    assertThat(state("TimedOut").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"Error": "States.Timeout",
         "Cause": "The execution ran past the state machine's timeout"}"""));
    assertThat(state("Aborted").at("/Parameters/Error").asText()).isEqualTo("States.Aborted");
    assertThat(state("UnnamedFailure").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                "{\"Error\": \"States.Unknown\", \"Cause\": \"The status change event did not say why the"
                    + " execution failed: its history does (ExecutionArn)\"}"));
    assertThat(state("Failure").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                "{\"Error.$\": \"$.event.detail.error\", \"Cause.$\": \"$.event.detail.cause\"}"));
  }

  @Test
  void aFinalItemOfThisExecutionIsLeftAloneAndAnotherStartsItemMovesOn() {
    assertThat(state("MarkFailed").get("Catch"))
        .isEqualTo(
            Synth.parse(
                """
        [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": null,
          "Next": "ReadItem"},
         {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
          "Next": "SendToDeadLetterQueue"}]"""));
    assertThat(state("WhoseItem").at("/Choices/0/Next").asText()).isEqualTo("AlreadyFinal");
    assertThat(state("WhoseItem").at("/Choices/1"))
        .isEqualTo(
            Synth.parse(
                "{\"Variable\": \"$.task.moves\", \"IsPresent\": true, \"Next\": \"NextSecond\"}"));
    assertThat(state("WhoseItem").get("Default").asText())
        .as("an input without moves (an older starter's) cannot say where the item moved")
        .isEqualTo("SendToDeadLetterQueue");
    assertThat(state("NextSecond").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"index.$": "States.MathAdd($.move, 1)", "count.$": "States.ArrayLength($.task.moves)"}"""));
    assertThat(state("TooFar").get("Choices"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Variable": "$.next.index", "NumericGreaterThanEqualsPath": "$.next.count",
          "Next": "SendToDeadLetterQueue"}]"""));
    assertThat(state("TryThatSecond").at("/Parameters/task/timestamp.$").asText())
        .isEqualTo("States.ArrayGetItem($.task.moves, $.next.index)");
    assertThat(state("TryThatSecond").get("Next").asText()).isEqualTo("MarkFailed");
  }

  @Test
  void whatCannotBeReconciledGoesToTheDeadLetterQueue() {
    JsonNode send = state("SendToDeadLetterQueue");

    assertThat(send.get("Resource").asText()).isEqualTo("arn:aws:states:::aws-sdk:sqs:sendMessage");
    assertThat(send.at("/Parameters/MessageBody.$").asText())
        .isEqualTo("States.JsonToString($.event)");
    assertThat(send.get("Next").asText()).isEqualTo("NotReconciled");
  }

  @Test
  void theDeadLetterStepMayOnlySendToItsQueueAndUseItsKeyAsSendMessageDoes() {
    Synth synth =
        Synth.workflowWith(
            stack -> TaskStatusWorkflowProps.builder().encryptionKey(Synth.key(stack)));

    assertThat(SecurityTest.statements(synth, "TasksReconcilerRole"))
        .contains(
            Synth.parse(
                """
        {"Action": "sqs:SendMessage", "Effect": "Allow",
         "Resource": {"Fn::GetAtt": ["TasksReconcilerDeadLetterQueueFD1F9A7B", "Arn"]}}"""),
            Synth.parse(
                """
        {"Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Effect": "Allow",
         "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}"""));
    assertThat(SecurityTest.statements(synth, "TasksReconcilerRole").toString())
        .doesNotContain("kms:GenerateDataKey*")
        .doesNotContain("kms:Encrypt")
        .doesNotContain("kms:ReEncrypt");
  }

  @Test
  void theReconcilerMayOnlyUpdateAndReadTheTableAndSendItsDeadLetters() {
    JsonNode statements = SecurityTest.statements(DEFAULT, "TasksReconcilerRole");

    assertThat(statements)
        .extracting(s -> s.get("Action").toString())
        .contains("\"dynamodb:UpdateItem\"", "\"dynamodb:GetItem\"");
    assertThat(statements.toString())
        .contains("sqs:SendMessage")
        .doesNotContain("dynamodb:PutItem")
        .doesNotContain("dynamodb:DeleteItem");
  }

  @Test
  void expressWorkflowsHaveNoReconcilerForTheySendNoEvents() {
    Synth express =
        Synth.workflow(
            TaskStatusWorkflowProps.builder().stateMachineType(StateMachineType.EXPRESS).build());

    express.template.resourceCountIs("AWS::Events::Rule", 0);
    express.template.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
    Synth.stack(
        stack -> {
          TaskStatusWorkflow workflow =
              TaskStatusWorkflow.Builder.create(stack, "Tasks")
                  .stateMachineType(StateMachineType.EXPRESS)
                  .build();
          assertThat(workflow.getReconciler()).isNull();
          assertThat(workflow.getReconcilerDeadLetterQueue()).isNull();
        });
  }
}
