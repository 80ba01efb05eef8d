package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;

/**
 * The reconciler: the rule for the task state machine's FAILED, TIMED_OUT, ABORTED and
 * PENDING_REDRIVE events, its target's retries and dead-letter queue, and the Express state machine
 * that asks DescribeExecution how the execution stands and marks the item accordingly, for the
 * attempt that ended, never over a later attempt's write.
 */
class ReconcilerTest {
  private static final Synth DEFAULT = Synth.workflow(null);
  private static final JsonNode DEFINITION = DEFAULT.reconcilerDefinition();

  private static JsonNode state(String name) {
    return DEFINITION.get("States").get(name);
  }

  @Test
  void theRuleMatchesOnlyThisStateMachinesEndingsNoCatchSaw() {
    JsonNode rule = DEFAULT.only("AWS::Events::Rule", "TasksReconcileRule").get("Properties");

    assertThat(rule.get("EventPattern"))
        .isEqualTo(
            Synth.parse(
                """
        {"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
         "detail": {"stateMachineArn": [{"Ref": "TasksStateMachineA4CB7752"}],
                    "status": ["FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]}}"""));
    assertThat(rule.get("State").asText()).isEqualTo("ENABLED");
  }

  @Test
  void theTargetIsTheReconcilerWithRetriesAndADeadLetterQueue() {
    JsonNode target =
        DEFAULT.only("AWS::Events::Rule", "TasksReconcileRule").at("/Properties/Targets/0");

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
  void itAsksHowTheExecutionStandsNotTheEvent() {
    JsonNode describe = state("DescribeExecution");

    assertThat(describe.get("Resource").asText())
        .isEqualTo("arn:aws:states:::aws-sdk:sfn:describeExecution");
    assertThat(describe.get("Parameters"))
        .isEqualTo(Synth.parse("{\"ExecutionArn.$\": \"$.input.detail.executionArn\"}"));
    assertThat(describe.get("Retry").get(0).get("ErrorEquals"))
        .isEqualTo(Synth.parse("[\"Sfn.SfnException\"]"));
    assertThat(describe.at("/Catch/0/Next").asText()).isEqualTo("KeepInput");
    JsonNode stands = state("HowItStands");
    assertThat(stands.at("/Choices/2").toString())
        .contains("\"StringEquals\":\"RUNNING\"")
        .contains("\"StringEquals\":\"PENDING_REDRIVE\"")
        .contains("\"Next\":\"StillRunning\"");
    assertThat(stands.at("/Choices/3/Next").asText()).isEqualTo("Succeeded");
    assertThat(stands.get("Default").asText()).isEqualTo("SweptOrEvent");
    // What the sweeper finds of an Express execution, which DescribeExecution does not describe.
    assertThat(state("WhichExecution").at("/Choices/0/Next").asText()).isEqualTo("ExpressOverdue");
    assertThat(state("ExpressOverdue").at("/Parameters/execution/Error").asText())
        .isEqualTo("States.Timeout");
  }

  @Test
  void itMayDescribeOnlyTheTaskStateMachinesExecutionsInAPolicyOfItsOwn() {
    assertThat(SecurityTest.statements(DEFAULT, "TasksReconcilerRole").toString())
        .as("not in the DefaultPolicy")
        .doesNotContain("states:DescribeExecution");
    assertThat(SecurityTest.ownPolicyStatements(DEFAULT, "TasksReconcilerReadsExecutionsPolicy"))
        .containsExactly(
            Synth.parse(
                """
        {"Action": "states:DescribeExecution", "Effect": "Allow",
         "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
           ":states:eu-west-1:123456789012:execution:",
           {"Fn::GetAtt": ["TasksStateMachineA4CB7752", "Name"]}, ":*"]]}}"""));
  }

  @Test
  void aRequestedRedriveReopensTheItemForTheNewAttempt() {
    assertThat(state("HowItStands").at("/Choices/0/Next").asText()).isEqualTo("RedriveAttempt");
    assertThat(state("RedriveAttempt").at("/Parameters/count.$").asText())
        .as("a redrive still pending has not counted itself yet")
        .isEqualTo("States.MathAdd($.execution.RedriveCount, 1)");
    assertThat(state("RedrivenAttempt").at("/Parameters/count.$").asText())
        .isEqualTo("$.execution.RedriveCount");
    JsonNode reopen = state("ReopenRedrivenItem").get("Parameters");
    assertThat(reopen.get("ConditionExpression").asText())
        .isEqualTo("ExecutionArn = :self AND #Status <> :started AND RedriveCount < :attempt");
    assertThat(reopen.at("/ExpressionAttributeValues/:attempt/N.$").asText())
        .isEqualTo("States.Format('{}', $.attempt)");
  }

  @Test
  void itMarksFailedOnlyAMissingItemOrThisExecutionsOneNotYetFinishedByTheEndedAttempt() {
    JsonNode parameters = state("MarkFailed").get("Parameters");

    assertThat(parameters.get("Key"))
        .isEqualTo(
            Synth.parse(
                """
        {"taskId": {"S.$": "$.task.taskId"},
         "timestamp": {"N.$": "States.Format('{}', $.task.timestamp)"}}"""));
    assertThat(parameters.get("ConditionExpression").asText())
        .isEqualTo(
            "attribute_not_exists(taskId) OR (ExecutionArn = :self AND ((#Status = :started AND"
                + " (attribute_not_exists(RedriveCount) OR RedriveCount <= :attempt))"
                + " OR RedriveCount < :attempt))");
    assertThat(parameters.get("UpdateExpression").asText())
        .isEqualTo(
            "SET #Status = :status, UpdatedAt = :updatedAt, RedriveCount = :attempt,"
                + " #Error = :error, #Cause = :cause,"
                + " Attempts = list_append(if_not_exists(Attempts, :noAttempts), :attempts),"
                + " ExecutionArn = :self REMOVE OpenIndexKey");
    assertThat(parameters.at("/ExpressionAttributeValues/:attempt/N.$").asText())
        .isEqualTo("States.Format('{}', $.attempt)");
    assertThat(parameters.at("/ExpressionAttributeValues/:self/S.$").asText())
        .isEqualTo("$.executionArn");
    assertThat(parameters.at("/ExpressionAttributeValues/:error/S.$").asText())
        .isEqualTo("$.failure.Error");
  }

  @Test
  void theTaskComesFromTheExecutionsInputOrTheSweptItem() {
    assertThat(state("ReadEvent").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"event.$": "$.input", "task.$": "States.StringToJson($.execution.Input)",
         "executionArn.$": "$.input.detail.executionArn", "execution.$": "$.execution",
         "attempt.$": "$.execution.RedriveCount", "action": "fail", "move": -1}"""));
    assertThat(state("ReadSweptItem").at("/Parameters/task"))
        .as("the swept item's numbers stay DynamoDB's strings")
        .isEqualTo(
            Synth.parse(
                """
        {"taskId.$": "$.input.item.taskId.S", "timestamp.$": "$.input.item.timestamp.N"}"""));
    assertThat(state("ReadEvent").get("Next").asText()).isEqualTo("IsTask");
    assertThat(state("IsTask").get("Default").asText())
        .as("an input the starter did not write is kept for a replay")
        .isEqualTo("SendToDeadLetterQueue");
    assertThat(state("IsTask").at("/Choices/0/And").toString())
        .contains("\"Variable\":\"$.task.taskId\",\"IsString\":true")
        .contains("\"Variable\":\"$.task.timestamp\",\"IsNumeric\":true");
    assertThat(state("IsTask").get("Default").asText()).isEqualTo("SendToDeadLetterQueue");
  }

  @Test
  void aConflictTheTaskStateMachineLeftIsLeftAsItIs() {
    JsonNode first = state("Explain").at("/Choices/0");
    assertThat(first.get("Next").asText()).isEqualTo("ConflictLeftAsItIs");
    assertThat(first.toString())
        .contains("\"StringEquals\":\"FAILED\"")
        .contains("\"Variable\":\"$.execution.Error\",\"StringEquals\":\"TaskStatusConflict\"");
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
                "{\"Error\": \"States.Unknown\", \"Cause\": \"The execution did not say why it"
                    + " failed: its history does (ExecutionArn)\"}"));
    assertThat(state("Failure").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                "{\"Error.$\": \"$.execution.Error\", \"Cause.$\": \"$.execution.Cause\"}"));
  }

  @Test
  void anExecutionStoppedAsACancellationIsMarkedCancelledWithItsReason() {
    JsonNode choices = state("Explain").get("Choices");
    JsonNode cancelledWithReason = null;
    for (JsonNode choice : choices) {
      if (choice.get("Next").asText().equals("CancelledWithReason")) {
        cancelledWithReason = choice;
      }
    }
    assertThat(cancelledWithReason).isNotNull();
    assertThat(cancelledWithReason.toString())
        .contains("\"StringEquals\":\"ABORTED\"")
        .contains("\"StringEquals\":\"TaskStatus.Cancelled\"");
    assertThat(state("CancelledWithReason").get("Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"Error": "TaskStatus.Cancelled", "Cause.$": "$.execution.Cause", "Cancelled": true}"""));
    assertThat(state("Cancelled").at("/Parameters/Cause").asText())
        .isEqualTo("Cancelled without a reason");
    // Before the abort branches: a cancellation is no failure.
    assertThat(choices.toString().indexOf("CancelledWithReason"))
        .isLessThan(choices.toString().indexOf("AbortedWithCause"));

    JsonNode write = state("MarkOrReopen").get("Choices");
    assertThat(write.get(1))
        .isEqualTo(
            Synth.parse(
                "{\"Variable\": \"$.failure.Cancelled\", \"IsPresent\": true,"
                    + " \"Next\": \"MarkCancelled\"}"));
    JsonNode mark = state("MarkCancelled").get("Parameters");
    assertThat(mark.at("/ExpressionAttributeValues/:status/S").asText()).isEqualTo("CANCELLED");
    assertThat(mark.get("ConditionExpression").asText())
        .isEqualTo(TaskItems.NEW_OR_OWN_OPEN_TO_LATER_ATTEMPT);
    assertThat(mark.get("UpdateExpression").asText())
        .contains("#Error = :error, #Cause = :cause")
        .doesNotContain("FailedIndexKey");
    assertThat(state("MarkCancelled").at("/Catch/0/Next").asText()).isEqualTo("ReadItem");
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
    assertThat(state("TryThatSecond").get("Next").asText()).isEqualTo("MarkOrReopen");
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
        .doesNotContain("\"kms:GenerateDataKey*\"")
        .doesNotContain("\"kms:Encrypt\"")
        .doesNotContain("\"kms:ReEncrypt*\"");
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
  void expressWorkflowsSendNoEventsTheirReconcilerServesTheSweeperAlone() {
    Synth express =
        Synth.workflow(
            TaskStatusWorkflowProps.builder().stateMachineType(StateMachineType.EXPRESS).build());

    assertThat(express.only("AWS::Events::Rule").at("/Properties/ScheduleExpression").asText())
        .as("the sweep schedule, and no rule for events")
        .isEqualTo("rate(5 minutes)");
    express.template.resourceCountIs("AWS::StepFunctions::StateMachine", 3);
    Synth.stack(
        stack -> {
          TaskStatusWorkflow workflow =
              TaskStatusWorkflow.Builder.create(stack, "Tasks")
                  .stateMachineType(StateMachineType.EXPRESS)
                  .sweeper(false)
                  .build();
          assertThat(workflow.getReconciler()).isNull();
          assertThat(workflow.getReconcilerDeadLetterQueue()).isNull();
          assertThat(workflow.getSweeper()).isNull();
        });
  }
}
