package io.github.taskstatus;

import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.GlobalSecondaryIndexProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ProjectionType;
import software.amazon.awscdk.services.dynamodb.StreamViewType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.kms.IKey;
import software.constructs.Construct;

/** The table this construct creates when it is given none: one item per task start. */
final class TaskTable {
  /** The sparse index of FAILED items, with {@code failedTaskIndex}. */
  static final String FAILED_INDEX = "FailedTasks";

  /** The sparse index of STARTED items by deadline, with the sweeper. */
  static final String OPEN_INDEX = "OpenTasks";

  private TaskTable() {}

  /** The user's table, or a new one. */
  static ITable of(Construct scope, TaskStatusWorkflowProps props, Settings settings) {
    return props.getExistingTable() != null
        ? existing(scope, props, settings)
        : create(scope, props, settings);
  }

  /**
   * The user's table. What the construct cannot configure on it is a warning: Time to Live for
   * {@code retention}, the index for {@code failedTaskIndex}.
   */
  private static ITable existing(
      Construct scope, TaskStatusWorkflowProps props, Settings settings) {
    if (settings.retention() != null) {
      Annotations.of(scope)
          .addWarningV2(
              "task-status-workflow:existing-table-ttl",
              "retention is set with existingTable: turn on Time to Live for the attribute "
                  + TaskItems.EXPIRES_AT
                  + " on that table, or expired items are never deleted");
    }
    if (settings.failedTaskIndex()) {
      Annotations.of(scope)
          .addWarningV2(
              "task-status-workflow:existing-table-index",
              "failedTaskIndex is set with existingTable: add the global secondary index "
                  + FAILED_INDEX
                  + " (partition key "
                  + TaskItems.FAILED_INDEX_KEY
                  + ", String; sort"
                  + " key "
                  + TaskItems.UPDATED_AT
                  + ", String) to that table");
    }
    if (settings.sweeper()) {
      Annotations.of(scope)
          .addWarningV2(
              "task-status-workflow:existing-table-open-index",
              "sweeper is on with existingTable: add the global secondary index "
                  + OPEN_INDEX
                  + " (partition key "
                  + TaskItems.OPEN_INDEX_KEY
                  + ", String; sort key "
                  + TaskItems.DEADLINE
                  + ", String; projection ALL) to that table, or every sweep fails");
    }
    return props.getExistingTable();
  }

  /** On demand, encrypted, point-in-time recoverable, kept by default when the stack goes. */
  private static Table create(Construct scope, TaskStatusWorkflowProps props, Settings settings) {
    IKey key = props.getEncryptionKey();
    Table table =
        Table.Builder.create(scope, "Table")
            .tableName(props.getTableName())
            .partitionKey(
                Attribute.builder()
                    .name(TaskStatusWorkflow.PARTITION_KEY)
                    .type(AttributeType.STRING)
                    .build())
            .sortKey(
                Attribute.builder()
                    .name(TaskStatusWorkflow.SORT_KEY)
                    .type(AttributeType.NUMBER)
                    .build())
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .encryption(
                key != null ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED)
            .encryptionKey(key)
            .pointInTimeRecoverySpecification(
                PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
            .removalPolicy(settings.removalPolicy())
            .timeToLiveAttribute(settings.retention() != null ? TaskItems.EXPIRES_AT : null)
            // Status events read the stream; both images, so a change can be told from its past.
            .stream(settings.statusEvents() ? StreamViewType.NEW_AND_OLD_IMAGES : null)
            .build();
    if (settings.failedTaskIndex()) {
      table.addGlobalSecondaryIndex(
          GlobalSecondaryIndexProps.builder()
              .indexName(FAILED_INDEX)
              .partitionKey(
                  Attribute.builder()
                      .name(TaskItems.FAILED_INDEX_KEY)
                      .type(AttributeType.STRING)
                      .build())
              .sortKey(
                  Attribute.builder().name(TaskItems.UPDATED_AT).type(AttributeType.STRING).build())
              .projectionType(ProjectionType.ALL)
              .build());
    }
    if (settings.sweeper()) {
      // Only STARTED items carry the key: the index holds the open tasks, by deadline.
      table.addGlobalSecondaryIndex(
          GlobalSecondaryIndexProps.builder()
              .indexName(OPEN_INDEX)
              .partitionKey(
                  Attribute.builder()
                      .name(TaskItems.OPEN_INDEX_KEY)
                      .type(AttributeType.STRING)
                      .build())
              .sortKey(
                  Attribute.builder().name(TaskItems.DEADLINE).type(AttributeType.STRING).build())
              .projectionType(ProjectionType.ALL)
              .build());
    }
    return table;
  }
}
