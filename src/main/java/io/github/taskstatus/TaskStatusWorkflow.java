package io.github.taskstatus;

import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;

/**
 * A task status workflow: a starter Lambda that receives {@code {"taskId": "..."}} and starts a
 * Step Functions execution, which records the task in a DynamoDB table as {@code STARTED}, does
 * the work (by default, waits), and marks it {@code DONE}, or {@code FAILED} if the work fails.
 *
 * <pre>{@code
 * TaskStatusWorkflow tasks = TaskStatusWorkflow.Builder.create(this, "Tasks")
 *     .waitDuration(Duration.minutes(2))
 *     .build();
 * }</pre>
 *
 * <p>Child construct ids ({@code Table}, {@code StateMachine}, {@code Starter}) are stable:
 * changing them would replace resources, the table included.
 */
public class TaskStatusWorkflow extends Construct {

  /** The table's partition key: the task id, a String. */
  public static final String PARTITION_KEY = "taskId";
  /** The table's sort key: the Unix seconds the starter chose, a Number. */
  public static final String SORT_KEY = "timestamp";

  private final ITable table;
  private final StateMachine stateMachine;
  private final Function starterFunction;

  /**
   * Creates a workflow with every default.
   *
   * @param scope the parent construct
   * @param id the construct id
   */
  public TaskStatusWorkflow(Construct scope, String id) {
    this(scope, id, null);
  }

  /**
   * Creates a workflow.
   *
   * @param scope the parent construct
   * @param id the construct id
   * @param props the configuration, or {@code null} for every default
   * @throws IllegalArgumentException listing every invalid prop, its value and what is allowed
   */
  public TaskStatusWorkflow(Construct scope, String id, TaskStatusWorkflowProps props) {
    super(scope, id);
    TaskStatusWorkflowProps p = props != null ? props : TaskStatusWorkflowProps.builder().build();
    Settings settings = Settings.of(p);

    this.table = p.getExistingTable() != null ? p.getExistingTable() : createTable(p, settings);

    IChainable definition = TaskStatusDefinition.create(
        this, table, p.getWork(), settings.waitDuration());
    this.stateMachine = StateMachine.Builder.create(this, "StateMachine")
        .definitionBody(DefinitionBody.fromChainable(definition))
        .stateMachineType(settings.type())
        .timeout(settings.timeout())
        .build();

    this.starterFunction = Function.Builder.create(this, "Starter")
        .description("Starts a task status workflow execution for {\"taskId\": \"...\"}")
        .runtime(Runtime.JAVA_25)
        .architecture(Architecture.ARM_64)
        .handler(StarterCode.HANDLER)
        .code(StarterCode.asset())
        .memorySize(512)
        .timeout(Duration.seconds(30))
        .environment(Map.of("STATE_MACHINE_ARN", stateMachine.getStateMachineArn()))
        .build();
    stateMachine.grantStartExecution(starterFunction);
  }

  private Table createTable(TaskStatusWorkflowProps p, Settings settings) {
    return Table.Builder.create(this, "Table")
        .tableName(p.getTableName())
        .partitionKey(Attribute.builder().name(PARTITION_KEY).type(AttributeType.STRING).build())
        .sortKey(Attribute.builder().name(SORT_KEY).type(AttributeType.NUMBER).build())
        .billingMode(BillingMode.PAY_PER_REQUEST)
        .encryption(TableEncryption.AWS_MANAGED)
        .pointInTimeRecoverySpecification(
            PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
        .removalPolicy(settings.removalPolicy())
        .build();
  }

  /**
   * The table that holds one item per task start.
   *
   * @return the created or the existing table
   */
  public ITable getTable() {
    return table;
  }

  /**
   * The state machine that records and runs each task.
   *
   * @return the state machine
   */
  public StateMachine getStateMachine() {
    return stateMachine;
  }

  /**
   * The Lambda function that starts a task: invoke it with {@code {"taskId": "..."}}.
   *
   * @return the starter function
   */
  public IFunction getStarterFunction() {
    return starterFunction;
  }

  /** Builds a {@link TaskStatusWorkflow} in the style of CDK's own Java builders. */
  public static final class Builder {
    private final Construct scope;
    private final String id;
    private final TaskStatusWorkflowProps.Builder props = TaskStatusWorkflowProps.builder();

    private Builder(Construct scope, String id) {
      this.scope = Objects.requireNonNull(scope, "scope");
      this.id = Objects.requireNonNull(id, "id");
    }

    /**
     * Starts a builder.
     *
     * @param scope the parent construct
     * @param id the construct id
     * @return a new builder
     */
    public static Builder create(Construct scope, String id) {
      return new Builder(scope, id);
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getWaitDuration()}.
     *
     * @param waitDuration the wait
     * @return this builder
     */
    public Builder waitDuration(Duration waitDuration) {
      props.waitDuration(waitDuration);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getWork()}.
     *
     * @param work the work step or chain
     * @return this builder
     */
    public Builder work(IChainable work) {
      props.work(work);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getTableName()}.
     *
     * @param tableName the table name
     * @return this builder
     */
    public Builder tableName(String tableName) {
      props.tableName(tableName);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getRemovalPolicy()}.
     *
     * @param removalPolicy the removal policy
     * @return this builder
     */
    public Builder removalPolicy(RemovalPolicy removalPolicy) {
      props.removalPolicy(removalPolicy);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getExistingTable()}.
     *
     * @param existingTable the table to use
     * @return this builder
     */
    public Builder existingTable(ITable existingTable) {
      props.existingTable(existingTable);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getStateMachineType()}.
     *
     * @param stateMachineType the workflow type
     * @return this builder
     */
    public Builder stateMachineType(StateMachineType stateMachineType) {
      props.stateMachineType(stateMachineType);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getTimeout()}.
     *
     * @param timeout the execution timeout
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      props.timeout(timeout);
      return this;
    }

    /**
     * Creates the construct.
     *
     * @return the workflow
     * @throws IllegalArgumentException listing every invalid prop
     */
    public TaskStatusWorkflow build() {
      return new TaskStatusWorkflow(scope, id, props.build());
    }
  }
}
