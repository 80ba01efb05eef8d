package io.github.taskstatus;

import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.kms.IKey;
import software.constructs.Construct;

/** The table this construct creates when it is given none: one item per task start. */
final class TaskTable {
  private TaskTable() {}

  /** On demand, encrypted, point-in-time recoverable, kept by default when the stack goes. */
  static Table create(Construct scope, TaskStatusWorkflowProps props, Settings settings) {
    IKey key = props.getEncryptionKey();
    return Table.Builder.create(scope, "Table")
        .tableName(props.getTableName())
        .partitionKey(Attribute.builder().name(TaskStatusWorkflow.PARTITION_KEY)
            .type(AttributeType.STRING).build())
        .sortKey(Attribute.builder().name(TaskStatusWorkflow.SORT_KEY)
            .type(AttributeType.NUMBER).build())
        .billingMode(BillingMode.PAY_PER_REQUEST)
        .encryption(key != null ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED)
        .encryptionKey(key)
        .pointInTimeRecoverySpecification(
            PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
        .removalPolicy(settings.removalPolicy())
        .build();
  }
}
