package io.github.taskstatus.example;

import io.github.taskstatus.TaskStatusWorkflow;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.stepfunctions.Chain;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.constructs.Construct;

/**
 * A workflow on a table you already have, with your own work instead of the wait: a small {@code
 * Pass}/{@code Wait} chain standing in for a Lambda invoke or a service integration.
 */
public class CustomWorkStack extends Stack {

  /** Context key naming the existing table ({@code orders-tasks} if unset). */
  public static final String TABLE_NAME = "existingTableName";

  /**
   * Creates the stack.
   *
   * @param scope the app
   * @param id the stack id
   * @param props stack props
   */
  public CustomWorkStack(Construct scope, String id, StackProps props) {
    super(scope, id, props);
    Object name = getNode().tryGetContext(TABLE_NAME);
    // Keys must be taskId (String) and timestamp (Number).
    ITable existing =
        Table.fromTableName(this, "ExistingTable", name == null ? "orders-tasks" : name.toString());

    Chain cook =
        Chain.start(Pass.Builder.create(this, "Prepare").build())
            .next(
                Wait.Builder.create(this, "Cook")
                    .time(WaitTime.duration(Duration.seconds(10)))
                    .build())
            .next(Pass.Builder.create(this, "Serve").build());

    TaskStatusWorkflow tasks =
        TaskStatusWorkflow.Builder.create(this, "Tasks")
            .existingTable(existing)
            .work(cook)
            .timeout(Duration.minutes(5))
            .build();

    CfnOutput.Builder.create(this, "StarterFunctionName")
        .value(tasks.getStarterFunction().getFunctionName())
        .build();
    CfnOutput.Builder.create(this, "TableName").value(existing.getTableName()).build();
    CfnOutput.Builder.create(this, "StateMachineArn")
        .value(tasks.getStateMachine().getStateMachineArn())
        .build();
  }
}
