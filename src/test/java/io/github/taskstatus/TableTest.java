package io.github.taskstatus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.dynamodb.Table;

/** The table: created with safe defaults, or the user's own. */
class TableTest {

  @Test
  void keysAreTaskIdStringAndTimestampNumber() {
    JsonNode table = Synth.workflow(null).only("AWS::DynamoDB::Table").get("Properties");

    assertThat(table.get("KeySchema"))
        .isEqualTo(
            Synth.parse(
                """
        [{"AttributeName":"taskId","KeyType":"HASH"},
         {"AttributeName":"timestamp","KeyType":"RANGE"}]"""));
    assertThat(table.get("AttributeDefinitions"))
        .isEqualTo(
            Synth.parse(
                """
        [{"AttributeName":"taskId","AttributeType":"S"},
         {"AttributeName":"timestamp","AttributeType":"N"},
         {"AttributeName":"OpenIndexKey","AttributeType":"S"},
         {"AttributeName":"Deadline","AttributeType":"S"}]"""));
  }

  @Test
  void openItemsAreInASparseIndexByDeadlineForTheSweeper() {
    JsonNode table = Synth.workflow(null).only("AWS::DynamoDB::Table").get("Properties");

    assertThat(table.get("GlobalSecondaryIndexes"))
        .isEqualTo(
            Synth.parse(
                """
        [{"IndexName": "OpenTasks",
          "KeySchema": [{"AttributeName": "OpenIndexKey", "KeyType": "HASH"},
                        {"AttributeName": "Deadline", "KeyType": "RANGE"}],
          "Projection": {"ProjectionType": "ALL"}}]"""));
    assertThat(
            Synth.workflow(TaskStatusWorkflowProps.builder().sweeper(false).build())
                .only("AWS::DynamoDB::Table")
                .at("/Properties/GlobalSecondaryIndexes")
                .isMissingNode())
        .isTrue();
  }

  @Test
  void isOnDemandEncryptedWithAnAwsManagedKeyAndHasPointInTimeRecovery() {
    JsonNode table = Synth.workflow(null).only("AWS::DynamoDB::Table").get("Properties");

    assertThat(table.get("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
    assertThat(table.get("SSESpecification")).isEqualTo(Synth.parse("{\"SSEEnabled\":true}"));
    assertThat(table.get("PointInTimeRecoverySpecification"))
        .isEqualTo(Synth.parse("{\"PointInTimeRecoveryEnabled\":true}"));
    assertThat(table.has("ProvisionedThroughput")).isFalse();
  }

  @Test
  void isRetainedByDefaultAndHasAGeneratedName() {
    JsonNode table = Synth.workflow(null).only("AWS::DynamoDB::Table");

    assertThat(table.get("DeletionPolicy").asText()).isEqualTo("Retain");
    assertThat(table.get("UpdateReplacePolicy").asText()).isEqualTo("Retain");
    assertThat(table.get("Properties").has("TableName")).isFalse();
  }

  @Test
  void tableNameAndRemovalPolicyAreApplied() {
    JsonNode table =
        Synth.workflow(
                TaskStatusWorkflowProps.builder()
                    .tableName("breakfast-tasks")
                    .removalPolicy(RemovalPolicy.DESTROY)
                    .build())
            .only("AWS::DynamoDB::Table");

    assertThat(table.get("Properties").get("TableName").asText()).isEqualTo("breakfast-tasks");
    assertThat(table.get("DeletionPolicy").asText()).isEqualTo("Delete");
  }

  @Test
  void anExistingTableIsUsedAndNoTableIsCreated() {
    Synth synth =
        Synth.workflowWith(
            stack ->
                TaskStatusWorkflowProps.builder()
                    .existingTable(Table.fromTableName(stack, "Existing", "my-tasks")));

    synth.template.resourceCountIs("AWS::DynamoDB::Table", 0);
    JsonNode definition = synth.definition();
    assertThat(definition.at("/States/RecordStarted/Parameters/TableName").asText())
        .isEqualTo("my-tasks");
    assertThat(definition.at("/States/RecordDone/Parameters/TableName").asText())
        .isEqualTo("my-tasks");
    synth.template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    java.util.List.of(
                        Map.of(
                            "Action", "dynamodb:PutItem",
                            "Effect", "Allow",
                            "Resource",
                                Map.of(
                                    "Fn::Join",
                                    java.util.List.of(
                                        "",
                                        java.util.List.of(
                                            "arn:",
                                            Map.of("Ref", "AWS::Partition"),
                                            ":dynamodb:eu-west-1:123456789012:table/my-tasks")))))))));
  }

  @Test
  void theGetterReturnsTheTableUsed() {
    Synth.stack(
        stack -> {
          var existing = Table.fromTableName(stack, "Existing", "my-tasks");
          var workflow =
              new TaskStatusWorkflow(
                  stack,
                  "Tasks",
                  TaskStatusWorkflowProps.builder().existingTable(existing).build());
          assertThat(workflow.getTable()).isSameAs(existing);
          var created = new TaskStatusWorkflow(stack, "Other");
          assertThat(created.getTable()).isInstanceOf(Table.class);
          assertThat(created.getTable().getNode().getId()).isEqualTo("Table");
        });
  }
}
