package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableAttributes;
import software.amazon.awscdk.services.events.EventBus;

/**
 * Status change events: the table's stream, the pipe with its filter, enrichment, target and dead
 * letters, the enrichment's shaping, the pipe role's exact grants, and the props' rules.
 */
class StatusEventsTest {
  private static final Synth EVENTS =
      Synth.workflow(TaskStatusWorkflowProps.builder().statusEvents(true).build());

  @Test
  void theTableStreamsNewAndOldImages() {
    assertThat(
            EVENTS
                .only("AWS::DynamoDB::Table")
                .at("/Properties/StreamSpecification/StreamViewType")
                .asText())
        .isEqualTo("NEW_AND_OLD_IMAGES");
    Synth.workflow(null)
        .template
        .hasResourceProperties(
            "AWS::DynamoDB::Table",
            software.amazon.awscdk.assertions.Match.objectLike(
                Map.of("StreamSpecification", software.amazon.awscdk.assertions.Match.absent())));
  }

  @Test
  void thePipeKeepsWritesShapesThemAndPutsThemOnTheDefaultBus() {
    assertThat(EVENTS.only("AWS::Pipes::Pipe").get("Properties"))
        .isEqualTo(
            Synth.parse(
                """
        {"Description": "Publishes every change of a task's item as an EventBridge event",
         "Enrichment": {"Ref": "TasksStatusEventShaper8CC92860"},
         "RoleArn": {"Fn::GetAtt": ["TasksStatusEventPipeRole3E239FCB", "Arn"]},
         "Source": {"Fn::GetAtt": ["TasksTable45D1B62D", "StreamArn"]},
         "SourceParameters": {
           "DynamoDBStreamParameters": {"BatchSize": 10,
             "DeadLetterConfig": {"Arn": {"Fn::GetAtt":
               ["TasksStatusEventDeadLetterQueue07C881CA", "Arn"]}},
             "MaximumRetryAttempts": 10, "StartingPosition": "LATEST"},
           "FilterCriteria": {"Filters": [{"Pattern":
             "{\\"dynamodb\\":{\\"NewImage\\":{\\"Status\\":{\\"S\\":[{\\"exists\\":true}]}}}}"}]}},
         "Target": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
           ":events:eu-west-1:123456789012:event-bus/default"]]},
         "TargetParameters": {"EventBridgeEventBusParameters": {
           "DetailType": "Task Status Change",
           "Resources": [{"Ref": "TasksStateMachineA4CB7752"}],
           "Source": "task-status-workflow"}}}"""));
  }

  @Test
  void theEnrichmentShapesEachRecordWithDefaultsForWhatAnItemLacks() {
    JsonNode each =
        Synth.parse(
                Synth.render(
                    EVENTS
                        .only("AWS::StepFunctions::StateMachine", "TasksStatusEventShaper")
                        .at("/Properties/DefinitionString"),
                    Map.of()))
            .at("/States/EachChange");
    assertThat(each.get("ItemsPath").asText()).isEqualTo("$");
    assertThat(each.at("/ItemSelector/defaults/Error"))
        .as("a null S, from an intrinsic: a literal null would be dropped")
        .isEqualTo(Synth.parse("{\"S.$\": \"States.StringToJson('null')\"}"));
    assertThat(each.at("/ItemSelector/defaults/RedriveCount/N").asText()).isEqualTo("0");
    assertThat(each.at("/ItemSelector/defaults/Progress/N").asText()).isEqualTo("null");
    assertThat(each.at("/ItemProcessor/States/ItemAsWritten/Parameters/image.$").asText())
        .isEqualTo("States.JsonMerge($.defaults, $.record.dynamodb.NewImage, false)");
    assertThat(each.at("/ItemProcessor/States/Detail/Parameters"))
        .isEqualTo(
            Synth.parse(
                """
        {"taskId.$": "$.image.taskId.S",
         "timestamp.$": "States.StringToJson($.image.timestamp.N)",
         "status.$": "$.image.Status.S",
         "attempt.$": "States.StringToJson($.image.RedriveCount.N)",
         "progress.$": "States.StringToJson($.image.Progress.N)",
         "progressMessage.$": "$.image.ProgressMessage.S",
         "error.$": "$.image.Error.S", "cause.$": "$.image.Cause.S",
         "executionArn.$": "$.image.ExecutionArn.S", "updatedAt.$": "$.image.UpdatedAt.S",
         "change.$": "$.change"}"""));
  }

  @Test
  void thePipeRoleReadsTheStreamRunsTheShaperPutsEventsAndDeadLettersNothingMore() {
    assertThat(SecurityTest.statements(EVENTS, "TasksStatusEventPipeRole"))
        .isEqualTo(
            Synth.parse(
                """
        [{"Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords",
                     "dynamodb:GetShardIterator"],
          "Effect": "Allow", "Resource": {"Fn::GetAtt": ["TasksTable45D1B62D", "StreamArn"]}},
         {"Action": "states:StartSyncExecution", "Effect": "Allow",
          "Resource": {"Ref": "TasksStatusEventShaper8CC92860"}},
         {"Action": "events:PutEvents", "Effect": "Allow",
          "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
            ":events:eu-west-1:123456789012:event-bus/default"]]}},
         {"Action": "sqs:SendMessage", "Effect": "Allow",
          "Resource": {"Fn::GetAtt": ["TasksStatusEventDeadLetterQueue07C881CA", "Arn"]}}]"""));
    JsonNode listStreams = EVENTS.only("AWS::IAM::Policy", "TasksStatusEventPipeListStreamsPolicy");
    assertThat(listStreams.at("/Properties/PolicyDocument/Statement"))
        .isEqualTo(
            Synth.parse(
                "[{\"Action\": \"dynamodb:ListStreams\", \"Effect\": \"Allow\", \"Resource\":"
                    + " \"*\"}]"));
    assertThat(listStreams.at("/Metadata/cdk_nag/rules_to_suppress/0/applies_to/0").asText())
        .isEqualTo("Resource::*");
    assertThat(EVENTS.only("AWS::Pipes::Pipe").get("DependsOn").toString())
        .contains("TasksStatusEventPipeRoleDefaultPolicy", "TasksStatusEventPipeListStreamsPolicy");
  }

  @Test
  void aBusOfYourOwnIsTheTarget() {
    Synth synth =
        Synth.stack(
            stack ->
                TaskStatusWorkflow.Builder.create(stack, "Tasks")
                    .statusEventBus(EventBus.Builder.create(stack, "Bus").build())
                    .build());
    assertThat(synth.only("AWS::Pipes::Pipe").at("/Properties/Target"))
        .isEqualTo(Synth.parse("{\"Fn::GetAtt\": [\"BusEA82B648\", \"Arn\"]}"));
    assertThat(SecurityTest.statements(synth, "TasksStatusEventPipeRole").toString())
        .contains(
            "{\"Action\":\"events:PutEvents\",\"Effect\":\"Allow\",\"Resource\":{\"Fn::GetAtt\":"
                + "[\"BusEA82B648\",\"Arn\"]}}");
  }

  @Test
  void failuresAndDeadLettersAreAlarmed() {
    assertThat(EVENTS.resources().toString())
        .contains("StatusEventShaperFailedAlarm", "StatusEventDeadLetterQueueAlarm");
  }

  @Test
  void anExistingTableNeedsItsStreamAndABusNeedsEvents() {
    assertThatThrownBy(
            () ->
                Synth.stack(
                    stack ->
                        TaskStatusWorkflow.Builder.create(stack, "Tasks")
                            .existingTable(Table.fromTableName(stack, "Orders", "orders"))
                            .statusEvents(true)
                            .statusEventBus(EventBus.Builder.create(stack, "Bus").build())
                            .build()))
        .hasMessageContaining("statusEvents with existingTable needs the table's stream");
    assertThatThrownBy(
            () ->
                Synth.stack(
                    stack ->
                        TaskStatusWorkflow.Builder.create(stack, "Tasks")
                            .statusEvents(false)
                            .statusEventBus(EventBus.Builder.create(stack, "Bus").build())
                            .build()))
        .hasMessageContaining("statusEventBus needs status events: statusEvents is false");
    Synth.stack(
        stack ->
            TaskStatusWorkflow.Builder.create(stack, "Tasks")
                .existingTable(
                    Table.fromTableAttributes(
                        stack,
                        "Orders",
                        TableAttributes.builder()
                            .tableName("orders")
                            .tableStreamArn(
                                "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/x")
                            .build()))
                .statusEvents(true)
                .build());
  }
}
