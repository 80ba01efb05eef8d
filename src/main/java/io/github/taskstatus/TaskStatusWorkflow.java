package io.github.taskstatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSourceProps;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
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
 * <p>Child construct ids ({@code Table}, {@code StateMachine}, {@code Starter},
 * {@code StarterAlias}, {@code Queue}, {@code DeadLetterQueue} and the others) are stable:
 * changing them would replace resources, the table and the queues included.
 */
public class TaskStatusWorkflow extends Construct {

  /** The table's partition key: the task id, a String. */
  public static final String PARTITION_KEY = "taskId";
  /** The table's sort key: the Unix seconds the starter chose, a Number. */
  public static final String SORT_KEY = "timestamp";
  /** The starter's alias when SnapStart is on. */
  public static final String STARTER_ALIAS = "live";
  /**
   * The starter's JVM options: C1 only, which benchmarks/run.sh measured to start it about a
   * fifth faster; the starter is short and I/O-bound, so C2's peak speed would not pay off.
   */
  static final String STARTER_JVM_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";
  /** The starter's timeout: its StartExecution retries stay within it. */
  static final int STARTER_TIMEOUT_SECONDS = 30;
  /** The starter's runtime. */
  static final Runtime STARTER_RUNTIME = Runtime.JAVA_25;

  private final ITable table;
  private final StateMachine stateMachine;
  private final Function starterFunction;
  /** What callers invoke: the SnapStart alias, or the function itself. */
  private final IFunction starter;
  private final IQueue queue;
  private final IQueue deadLetterQueue;
  private final List<Alarm> alarms;

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
    IKey key = p.getEncryptionKey();
    String baseName = Names.uniqueResourceName(this,
        UniqueResourceNameOptions.builder().maxLength(200).build());
    String stateMachineLogsName = "/aws/vendedlogs/states/" + baseName;
    String starterLogsName = "/aws/lambda/" + baseName;

    this.table = p.getExistingTable() != null ? p.getExistingTable() : createTable(p, settings);
    this.stateMachine = createStateMachine(p, settings, stateMachineLogsName);
    this.starterFunction = createStarterFunction(settings, key, starterLogsName);
    // SnapStart applies to published versions only: callers must invoke the alias.
    this.starter = settings.snapStart()
        ? Alias.Builder.create(this, "StarterAlias").aliasName(STARTER_ALIAS)
            .version(starterFunction.getCurrentVersion())
            .description("The published starter version, restored from its SnapStart snapshot")
            .build()
        : starterFunction;
    if (key != null) {
      allowLogsToUse(key, stateMachineLogsName, starterLogsName);
    }

    Queues queues = settings.queue() == null ? new Queues(null, null) : createQueues(p, settings);
    this.queue = queues.queue();
    this.deadLetterQueue = queues.deadLetterQueue();
    if (queue != null) {
      starter.addEventSource(new SqsEventSource(queue, SqsEventSourceProps.builder()
          .batchSize(settings.queue().batchSize())
          .maxBatchingWindow(settings.queue().maxBatchingWindow())
          .maxConcurrency(settings.queue().maxConcurrency())
          .reportBatchItemFailures(true)
          .build()));
    }

    this.alarms = settings.alarms()
        ? TaskStatusAlarms.create(this, stateMachine, starterFunction, queue, deadLetterQueue,
            p.getAlarmTopic())
        : List.of();
  }

  private StateMachine createStateMachine(TaskStatusWorkflowProps p, Settings settings,
      String logGroupName) {
    StateMachine machine = StateMachine.Builder.create(this, "StateMachine")
        .definitionBody(DefinitionBody.fromChainable(
            TaskStatusDefinition.create(this, table, p.getWork(), settings.waitDuration())))
        .stateMachineType(settings.type())
        .timeout(settings.timeout())
        .logs(LogOptions.builder()
            .destination(logGroup("StateMachineLogs", logGroupName, settings,
                p.getEncryptionKey()))
            .level(settings.logLevel())
            .includeExecutionData(settings.includeExecutionData())
            .build())
        .tracingEnabled(settings.tracing())
        .build();
    if (table.getEncryptionKey() != null) {
      // Named actions, not grantEncryptDecrypt's wildcards (kms:ReEncrypt*, kms:GenerateDataKey*).
      table.getEncryptionKey().grant(machine,
          "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey");
    }
    NagSuppressions.wildcardsAwsRequires(machine.getRole(),
        NagSuppressions.STATE_MACHINE_WILDCARDS);
    return machine;
  }

  /** The function, with a role of its own: its log group, StartExecution, X-Ray; nothing else. */
  private Function createStarterFunction(Settings settings, IKey key, String logGroupName) {
    LogGroup logs = logGroup("StarterLogs", logGroupName, settings, key);
    Role role = Role.Builder.create(this, "StarterRole")
        .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
        .description("Starts executions of one TaskStatusWorkflow state machine")
        .build();
    logs.grantWrite(role);
    Function function = Function.Builder.create(this, "Starter")
        .description("Starts a task status workflow execution for {\"taskId\": \"...\"}")
        .runtime(STARTER_RUNTIME)
        .architecture(Architecture.ARM_64)
        .handler(StarterCode.HANDLER)
        .code(StarterCode.asset())
        .memorySize(512)
        .timeout(Duration.seconds(STARTER_TIMEOUT_SECONDS))
        .role(role)
        .logGroup(logs)
        .loggingFormat(LoggingFormat.JSON)
        .tracing(settings.tracing() ? Tracing.ACTIVE : Tracing.DISABLED)
        .snapStart(settings.snapStart() ? SnapStartConf.ON_PUBLISHED_VERSIONS : null)
        .environment(new TreeMap<>(Map.of(
            "STATE_MACHINE_ARN", stateMachine.getStateMachineArn(),
            "JAVA_TOOL_OPTIONS", STARTER_JVM_OPTIONS)))
        .build();
    stateMachine.grantStartExecution(function);
    if (settings.tracing()) {
      NagSuppressions.wildcardsAwsRequires(role, NagSuppressions.STARTER_WILDCARDS);
    }
    return function;
  }

  /** The queue of tasks and its dead-letter queue, either of which may be unknown. */
  private record Queues(IQueue queue, IQueue deadLetterQueue) {}

  private Queues createQueues(TaskStatusWorkflowProps p, Settings settings) {
    IQueue existing = p.getExistingQueue();
    if (existing != null) {
      IQueue deadLetter = existing instanceof Queue created
          && created.getDeadLetterQueue() != null ? created.getDeadLetterQueue().getQueue() : null;
      if (deadLetter == null) {
        Annotations.of(this).addWarningV2("task-status-workflow:no-dead-letter-queue",
            "existingQueue has no dead-letter queue this construct can see: give it a redrive"
                + " policy, or messages that keep failing are deleted when their retention ends");
      }
      return new Queues(existing, deadLetter);
    }
    IKey key = p.getEncryptionKey();
    Queue deadLetter = queue("DeadLetterQueue", key, settings,
        QueueSettings.DEAD_LETTER_RETENTION).build();
    Queue created = queue("Queue", key, settings, settings.queue().retentionPeriod())
        .visibilityTimeout(settings.queue().visibilityTimeout())
        .deadLetterQueue(DeadLetterQueue.builder().queue(deadLetter)
            .maxReceiveCount(settings.queue().maxReceiveCount()).build())
        .build();
    return new Queues(created, deadLetter);
  }

  /**
   * An SSL-only queue encrypted with the key if there is one, else by SQS; kept like the table
   * when the stack is deleted, so waiting tasks are not lost.
   */
  private Queue.Builder queue(String id, IKey key, Settings settings, Duration retention) {
    return Queue.Builder.create(this, id)
        .encryption(key != null ? QueueEncryption.KMS : QueueEncryption.SQS_MANAGED)
        .encryptionMasterKey(key)
        .enforceSsl(true)
        .retentionPeriod(retention)
        .removalPolicy(settings.removalPolicy());
  }

  private Table createTable(TaskStatusWorkflowProps p, Settings settings) {
    IKey key = p.getEncryptionKey();
    return Table.Builder.create(this, "Table")
        .tableName(p.getTableName())
        .partitionKey(Attribute.builder().name(PARTITION_KEY).type(AttributeType.STRING).build())
        .sortKey(Attribute.builder().name(SORT_KEY).type(AttributeType.NUMBER).build())
        .billingMode(BillingMode.PAY_PER_REQUEST)
        .encryption(key != null ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED)
        .encryptionKey(key)
        .pointInTimeRecoverySpecification(
            PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
        .removalPolicy(settings.removalPolicy())
        .build();
  }

  /**
   * A log group with a fixed, unique name. It is removed with the stack: a retained group
   * would keep its name taken and block creating the stack again.
   */
  private LogGroup logGroup(String id, String name, Settings settings, IKey key) {
    return LogGroup.Builder.create(this, id)
        .logGroupName(name)
        .retention(settings.logRetention())
        .encryptionKey(key)
        .removalPolicy(RemovalPolicy.DESTROY)
        .build();
  }

  /**
   * CloudWatch Logs may use the key for these log groups only. Their names are plain strings,
   * not references, so the key policy does not depend on the log groups that depend on the key.
   */
  private void allowLogsToUse(IKey key, String... logGroupNames) {
    Stack stack = Stack.of(this);
    List<String> arns = new ArrayList<>();
    for (String name : logGroupNames) {
      arns.add(stack.formatArn(ArnComponents.builder()
          .service("logs").resource("log-group").resourceName(name)
          .arnFormat(ArnFormat.COLON_RESOURCE_NAME).build()));
    }
    boolean added = key.addToResourcePolicy(PolicyStatement.Builder.create()
        .sid("AllowTaskStatusWorkflowLogs" + Names.uniqueId(this))
        .principals(List.of(new ServicePrincipal("logs." + stack.getRegion() + ".amazonaws.com")))
        .actions(List.of("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
            "kms:GenerateDataKey*", "kms:Describe*"))
        .resources(List.of("*"))
        .conditions(Map.of("ArnEquals", Map.of("kms:EncryptionContext:aws:logs:arn", arns)))
        .build()).getStatementAdded();
    if (!added) {
      Annotations.of(this).addWarningV2("task-status-workflow:imported-key",
          "encryptionKey is imported, so its key policy cannot be changed here: allow the"
              + " service principal logs." + stack.getRegion() + ".amazonaws.com kms:Encrypt*,"
              + " kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* for"
              + " the log groups " + String.join(", ", arns) + ", or the stack will fail");
    }
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
   * The Lambda function that starts a task: invoke it with {@code {"taskId": "..."}}. With
   * SnapStart this is the {@code live} alias of the function's published version.
   *
   * @return the starter function or its alias
   */
  public IFunction getStarterFunction() {
    return starter;
  }

  /**
   * The queue of tasks in queue mode: the created one or {@code existingQueue}.
   *
   * @return the queue, or {@code null} when queue mode is off
   */
  public IQueue getQueue() {
    return queue;
  }

  /**
   * Where messages go after {@code maxReceiveCount} failed receives, in queue mode.
   *
   * @return the created dead-letter queue, that of an {@code existingQueue} defined in this app,
   *     or {@code null}
   */
  public IQueue getDeadLetterQueue() {
    return deadLetterQueue;
  }

  /**
   * Lets a principal send tasks ({@code {"taskId": "..."}} messages) to the queue.
   *
   * @param grantee who may send
   * @return the grant
   * @throws IllegalStateException if queue mode is off
   */
  public Grant grantSendTasks(IGrantable grantee) {
    if (queue == null) {
      throw new IllegalStateException("grantSendTasks needs queue mode: set queue(true)");
    }
    return queue.grantSendMessages(grantee);
  }

  /**
   * The alarms this construct created: none when {@code alarms} is false.
   *
   * @return the alarms, in a fixed order: executions failed, timed out, aborted, throttled;
   *     starter errors, starter throttles; in queue mode then dead-letter queue depth and age of
   *     the oldest task
   */
  public List<IAlarm> getAlarms() {
    return List.copyOf(alarms);
  }

  /**
   * Lets a principal start tasks: invoke the starter function.
   *
   * @param grantee who may start tasks
   * @return the grant
   */
  public Grant grantStartTask(IGrantable grantee) {
    return starter.grantInvoke(grantee);
  }

  /**
   * Lets a principal read task status: get, query and scan the table (and decrypt it, when it
   * has a customer-managed key).
   *
   * @param grantee who may read
   * @return the grant
   */
  public Grant grantReadStatus(IGrantable grantee) {
    return table.grantReadData(grantee);
  }

  /**
   * Executions started: one per task start.
   *
   * @return the metric, summed over 5 minutes
   */
  public Metric metricTasksStarted() {
    return metricTasksStarted(null);
  }

  /**
   * Executions started: one per task start.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksStarted(MetricOptions options) {
    return stateMachine.metricStarted(options);
  }

  /**
   * Executions that succeeded: tasks recorded {@code DONE}.
   *
   * @return the metric, summed over 5 minutes
   */
  public Metric metricTasksSucceeded() {
    return metricTasksSucceeded(null);
  }

  /**
   * Executions that succeeded: tasks recorded {@code DONE}.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksSucceeded(MetricOptions options) {
    return stateMachine.metricSucceeded(options);
  }

  /**
   * Executions that failed: tasks recorded {@code FAILED}, and the rare task whose execution
   * failed before or while recording (see the README's "Failure handling").
   *
   * @return the metric, summed over 5 minutes
   */
  public Metric metricTasksFailed() {
    return metricTasksFailed(null);
  }

  /**
   * Executions that failed.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksFailed(MetricOptions options) {
    return stateMachine.metricFailed(options);
  }

  /**
   * Executions stopped by the state machine's timeout; their items stay {@code STARTED}.
   *
   * @return the metric, summed over 5 minutes
   */
  public Metric metricTasksTimedOut() {
    return metricTasksTimedOut(null);
  }

  /**
   * Executions stopped by the state machine's timeout.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksTimedOut(MetricOptions options) {
    return stateMachine.metricTimedOut(options);
  }

  /**
   * How long a task takes, start to finish: the executions' {@code ExecutionTime}, in
   * milliseconds.
   *
   * @return the metric, averaged over 5 minutes
   */
  public Metric metricTaskDuration() {
    return metricTaskDuration(null);
  }

  /**
   * How long a task takes, start to finish, in milliseconds.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTaskDuration(MetricOptions options) {
    return stateMachine.metricTime(options);
  }

  /**
   * Starter invocations that failed: bad events, or StartExecution failing after its retries.
   *
   * @return the metric, summed over 5 minutes
   */
  public Metric metricStarterErrors() {
    return metricStarterErrors(null);
  }

  /**
   * Starter invocations that failed.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricStarterErrors(MetricOptions options) {
    return starterFunction.metricErrors(options);
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
     * Sets {@link TaskStatusWorkflowProps#getEncryptionKey()}.
     *
     * @param encryptionKey the value
     * @return this builder
     */
    public Builder encryptionKey(IKey encryptionKey) {
      props.encryptionKey(encryptionKey);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getLogLevel()}.
     *
     * @param logLevel the value
     * @return this builder
     */
    public Builder logLevel(LogLevel logLevel) {
      props.logLevel(logLevel);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getLogRetention()}.
     *
     * @param logRetention the value
     * @return this builder
     */
    public Builder logRetention(RetentionDays logRetention) {
      props.logRetention(logRetention);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getIncludeExecutionData()}.
     *
     * @param includeExecutionData the value
     * @return this builder
     */
    public Builder includeExecutionData(Boolean includeExecutionData) {
      props.includeExecutionData(includeExecutionData);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getTracing()}.
     *
     * @param tracing the value
     * @return this builder
     */
    public Builder tracing(Boolean tracing) {
      props.tracing(tracing);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getAlarms()}.
     *
     * @param alarms the value
     * @return this builder
     */
    public Builder alarms(Boolean alarms) {
      props.alarms(alarms);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getAlarmTopic()}.
     *
     * @param alarmTopic the value
     * @return this builder
     */
    public Builder alarmTopic(ITopic alarmTopic) {
      props.alarmTopic(alarmTopic);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getQueue()}.
     *
     * @param queue the value
     * @return this builder
     */
    public Builder queue(Boolean queue) {
      props.queue(queue);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getQueueOptions()}.
     *
     * @param queueOptions the value
     * @return this builder
     */
    public Builder queueOptions(TaskQueueOptions queueOptions) {
      props.queueOptions(queueOptions);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getExistingQueue()}.
     *
     * @param existingQueue the value
     * @return this builder
     */
    public Builder existingQueue(IQueue existingQueue) {
      props.existingQueue(existingQueue);
      return this;
    }

    /**
     * Sets {@link TaskStatusWorkflowProps#getSnapStart()}.
     *
     * @param snapStart the value
     * @return this builder
     */
    public Builder snapStart(Boolean snapStart) {
      props.snapStart(snapStart);
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
