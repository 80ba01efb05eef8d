package io.github.taskstatus;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.pipes.CfnPipe;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * A task status workflow: a starter Lambda that receives {@code {"taskId": "..."}} and starts a
 * Step Functions execution, which records the task in a DynamoDB table as {@code STARTED}, does the
 * work (by default, waits), and marks it {@code DONE}, or {@code FAILED} if the work fails.
 *
 * <pre>{@code
 * TaskStatusWorkflow tasks = TaskStatusWorkflow.Builder.create(this, "Tasks")
 *     .waitDuration(Duration.minutes(2))
 *     .build();
 * }</pre>
 *
 * <p>Child construct ids ({@code Table}, {@code StateMachine}, {@code Starter}, {@code
 * StarterAlias}, {@code Queue}, {@code DeadLetterQueue} and the others) are stable: changing them
 * would replace resources, the table and the queues included.
 */
public class TaskStatusWorkflow extends Construct {

  /** The table's partition key: the task id, a String. */
  public static final String PARTITION_KEY = "taskId";

  /** The table's sort key: the Unix seconds the starter chose, a Number. */
  public static final String SORT_KEY = "timestamp";

  /** The starter's alias when SnapStart is on. */
  public static final String STARTER_ALIAS = StarterFunction.ALIAS;

  private final ITable table;
  private final StateMachine stateMachine;
  private final StarterFunction starter;
  private final TaskStatusReconciler reconciler;
  private final TaskStatusSweeper sweeper;
  private final TaskWorkers workers;
  private final TaskStatusEvents events;
  private final TaskQueues queues;
  private final TaskStatusMetrics metrics;
  private final List<Alarm> alarms;
  private final TaskStatusGrants grants;

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
    TaskStatusLogs logs = new TaskStatusLogs(this, settings.logRetention(), key);

    table = TaskTable.of(this, p, settings);
    TaskItems items = TaskItems.ofTasks(table, settings);
    workers = settings.worker() != null ? TaskWorkers.create(this, settings, key) : null;
    TaskStateMachine tasks =
        TaskStateMachine.create(
            this, items, workers != null ? workers.handOff() : p.getWork(), settings, logs, key);
    stateMachine = tasks.machine();
    if (workers != null) {
      workers.grantHandOff(stateMachine);
    }
    starter = new StarterFunction(this, settings, stateMachine, logs, key);
    tasks.config().startedBy(starter.function());
    reconciler =
        settings.hasReconciler()
            ? TaskStatusReconciler.create(this, stateMachine, items, settings, logs, key, key)
            : null;
    sweeper =
        settings.sweeper()
            ? TaskStatusSweeper.create(this, table, reconciler, settings, logs, key)
            : null;
    queues = TaskQueues.create(this, p, settings);
    queues.feed(starter.invocable(), settings.queue(), key);
    events =
        settings.statusEvents()
            ? TaskStatusEvents.create(
                this, table, stateMachine, p.getStatusEventBus(), settings, logs, key)
            : null;
    grants =
        new TaskStatusGrants(
            table,
            stateMachine,
            starter.invocable(),
            queues,
            settings.failedTaskIndex(),
            settings.sweeper(),
            workers,
            reconciler == null ? null : reconciler.stateMachine());
    metrics =
        new TaskStatusMetrics(
            stateMachine,
            starter.function(),
            starter.deadLetterQueue(),
            queues,
            reconciler,
            sweeper,
            workers,
            events);
    alarms =
        settings.alarms() ? TaskStatusAlarms.create(this, metrics, p.getAlarmTopic(), key) : null;
    if (settings.dashboard()) {
      TaskStatusDashboard.create(this, metrics);
    }
    // Last: the key policy names every log group created above.
    logs.allowLogsToUseKey();
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
    return starter.invocable();
  }

  /**
   * The queue of tasks in queue mode: the created one or {@code existingQueue}.
   *
   * @return the queue, or {@code null} when queue mode is off
   */
  public IQueue getQueue() {
    return queues.queue();
  }

  /**
   * Where messages go after {@code maxReceiveCount} failed receives, in queue mode.
   *
   * @return the created dead-letter queue, that of an {@code existingQueue} defined in this app, or
   *     {@code null}
   */
  public IQueue getDeadLetterQueue() {
    return queues.deadLetterQueue();
  }

  /**
   * Where an asynchronous invocation of the starter goes when it failed every retry (Lambda's
   * dead-letter queue, 14 days); replay its messages as the README shows.
   *
   * @return the starter's dead-letter queue
   */
  public IQueue getStarterDeadLetterQueue() {
    return starter.deadLetterQueue();
  }

  /**
   * The reconciler: an Express state machine that marks each task's item as its execution stands,
   * from the status change events and the sweeper: FAILED when it timed out, was aborted or failed
   * unseen by any Catch, STARTED again when it is redriven.
   *
   * @return the reconciler, or {@code null} for an {@code EXPRESS} workflow without a sweeper
   */
  public StateMachine getReconciler() {
    return reconciler == null ? null : reconciler.stateMachine();
  }

  /**
   * The queue the state machine hands each task to, in worker mode ({@code worker}): the created
   * one or {@code worker.existingQueue}.
   *
   * @return the worker queue, or {@code null} without a worker
   */
  public IQueue getWorkerQueue() {
    return workers == null ? null : workers.queue();
  }

  /**
   * Where a worker queue's message goes after {@code worker.maxReceiveCount} receives: a task whose
   * workers kept dying (the task itself has failed with {@code States.HeartbeatTimeout} by then).
   *
   * @return the created worker dead-letter queue, that of a {@code worker.existingQueue} defined in
   *     this app, or {@code null}
   */
  public IQueue getWorkerDeadLetterQueue() {
    return workers == null ? null : workers.deadLetterQueue();
  }

  /**
   * The EventBridge pipe that publishes status change events ({@code statusEvents}).
   *
   * @return the pipe, or {@code null} without status events
   */
  public CfnPipe getStatusEventPipe() {
    return events == null ? null : events.pipe();
  }

  /**
   * The sweeper: an Express state machine that a schedule starts every {@code sweepInterval}, which
   * hands the items still STARTED past their deadline to the reconciler.
   *
   * @return the sweeper, or {@code null} with {@code sweeper(false)}
   */
  public StateMachine getSweeper() {
    return sweeper == null ? null : sweeper.stateMachine();
  }

  /**
   * Where status change events go that could not be reconciled; replay them as the README shows.
   *
   * @return the reconciler's dead-letter queue, or {@code null} without a reconciler
   */
  public IQueue getReconcilerDeadLetterQueue() {
    return reconciler == null ? null : reconciler.deadLetterQueue();
  }

  /**
   * What {@code TaskStatusClient} (artifact {@code io.github.taskstatus:task-status-client}) needs
   * to find this workflow, as environment variables for the application that uses it: {@code
   * TASK_STATUS_TABLE} (the table's name), {@code TASK_STATUS_STARTER} (the starter's ARN), in
   * queue mode {@code TASK_STATUS_QUEUE_URL}, with {@code failedTaskIndex} {@code
   * TASK_STATUS_FAILED_INDEX}, with the sweeper {@code TASK_STATUS_OPEN_INDEX}, with a reconciler
   * {@code TASK_STATUS_RECONCILER} (what {@code cancel} starts), and with {@code worker} {@code
   * TASK_STATUS_WORKER_QUEUE_URL} (what {@code TaskWorker} reads). Grant the application {@link
   * #grantStartTask} and {@link #grantReadStatus} too, and {@link #grantWork} to a worker.
   *
   * @return variable name to value (tokens, resolved at deployment)
   */
  public Map<String, String> clientEnvironment() {
    return grants.clientEnvironment();
  }

  /**
   * The alarms this construct created: none when {@code alarms} is false.
   *
   * @return the alarms, in the order of the README's "Operations" table
   */
  public List<IAlarm> getAlarms() {
    return alarms == null ? List.of() : List.copyOf(alarms);
  }

  /**
   * Lets a principal send tasks ({@code {"taskId": "..."}} messages) to the queue.
   *
   * @param grantee who may send
   * @return the grant
   * @throws IllegalStateException if queue mode is off
   */
  public Grant grantSendTasks(IGrantable grantee) {
    return grants.sendTasks(grantee);
  }

  /**
   * Lets a principal start tasks the way {@code TaskStatusClient.start} does: invoke the starter
   * function, or in queue mode send to the queue (and use its key).
   *
   * @param grantee who may start tasks
   * @return the grant
   */
  public Grant grantStartTask(IGrantable grantee) {
    return grants.startTask(grantee);
  }

  /**
   * Lets a principal read task status the way {@code TaskStatusClient} does: query the table and
   * its indexes (and decrypt them, when the table has a customer-managed key).
   *
   * @param grantee who may read
   * @return the grant
   */
  public Grant grantReadStatus(IGrantable grantee) {
    return grants.readStatus(grantee);
  }

  /**
   * Lets a principal redrive task executions the way {@code TaskStatusClient.redrive} does: {@code
   * states:RedriveExecution} on this state machine's executions. The client finds the execution
   * from the task's item, so grant {@link #grantReadStatus} too.
   *
   * @param grantee who may redrive
   * @return the grant
   * @throws IllegalStateException for an {@code EXPRESS} workflow, whose executions cannot be
   *     redriven
   */
  public Grant grantRedrive(IGrantable grantee) {
    return grants.redrive(grantee);
  }

  /**
   * Lets a principal cancel tasks the way {@code TaskStatusClient.cancel} does: {@code
   * states:StopExecution} on this state machine's executions (with the error {@code
   * TaskStatus.Cancelled} and the reason as cause), and {@code states:StartExecution} on the
   * reconciler, which the client starts at once so the item says {@code CANCELLED} without waiting
   * for the status change event. The client finds the execution from the task's item, so grant
   * {@link #grantReadStatus} too.
   *
   * @param grantee who may cancel
   * @return the grant on the executions
   * @throws IllegalStateException for an {@code EXPRESS} workflow, whose executions cannot be
   *     stopped
   */
  public Grant grantCancel(IGrantable grantee) {
    return grants.cancel(grantee);
  }

  /**
   * Lets a worker do what {@code TaskWorker} in task-status-client does: receive, delete and keep
   * hidden (ChangeMessageVisibility) the worker queue's messages, answer its tasks ({@code
   * states:SendTaskSuccess}, {@code SendTaskFailure} and {@code SendTaskHeartbeat} on this state
   * machine), and record progress on their items ({@code dynamodb:UpdateItem} and {@code GetItem}
   * on the table); with a customer-managed key, decrypt the queue's messages and the table.
   *
   * @param grantee the worker's principal
   * @return the grant of the task answers
   * @throws IllegalStateException without {@code worker}
   */
  public Grant grantWork(IGrantable grantee) {
    return grants.work(grantee);
  }

  /**
   * Lets a principal move the queue's dead letters back to the queue of tasks with SQS's redrive
   * ({@code aws sqs start-message-move-task}, see the README): start, list and cancel move tasks on
   * the dead-letter queue, read and delete its messages, send them to the queue, use their keys.
   *
   * @param grantee who may redrive
   * @return the grant on the dead-letter queue
   * @throws IllegalStateException if queue mode is off or the dead-letter queue is not known
   */
  public Grant grantRedriveDeadLetters(IGrantable grantee) {
    return grants.redriveDeadLetters(grantee);
  }

  /**
   * Executions started: one per task start, summed over 5 minutes.
   *
   * @return the metric
   */
  public Metric metricTasksStarted() {
    return metricTasksStarted(null);
  }

  /**
   * {@link #metricTasksStarted()} with other options.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksStarted(MetricOptions options) {
    return metrics.tasksStarted(options);
  }

  /**
   * Executions that succeeded (tasks recorded {@code DONE}), summed over 5 minutes.
   *
   * @return the metric
   */
  public Metric metricTasksSucceeded() {
    return metricTasksSucceeded(null);
  }

  /**
   * {@link #metricTasksSucceeded()} with other options.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksSucceeded(MetricOptions options) {
    return metrics.tasksSucceeded(options);
  }

  /**
   * Executions that failed (tasks recorded {@code FAILED}, and the rare task whose execution failed
   * before or while recording: see the README's "Failure handling"), summed over 5 minutes.
   *
   * @return the metric
   */
  public Metric metricTasksFailed() {
    return metricTasksFailed(null);
  }

  /**
   * {@link #metricTasksFailed()} with other options.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksFailed(MetricOptions options) {
    return metrics.tasksFailed(options);
  }

  /**
   * Executions stopped by the state machine's timeout (the reconciler marks their items {@code
   * FAILED} with {@code States.Timeout}), summed over 5 minutes.
   *
   * @return the metric
   */
  public Metric metricTasksTimedOut() {
    return metricTasksTimedOut(null);
  }

  /**
   * {@link #metricTasksTimedOut()} with other options.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTasksTimedOut(MetricOptions options) {
    return metrics.tasksTimedOut(options);
  }

  /**
   * How long a task takes, start to finish: the executions' {@code ExecutionTime} in milliseconds,
   * averaged over 5 minutes.
   *
   * @return the metric
   */
  public Metric metricTaskDuration() {
    return metricTaskDuration(null);
  }

  /**
   * {@link #metricTaskDuration()} with other options.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricTaskDuration(MetricOptions options) {
    return metrics.taskDuration(options);
  }

  /**
   * Starter invocations that failed (bad events, or StartExecution failing after its retries),
   * summed over 5 minutes.
   *
   * @return the metric
   */
  public Metric metricStarterErrors() {
    return metricStarterErrors(null);
  }

  /**
   * {@link #metricStarterErrors()} with other options.
   *
   * @param options period, statistic and the like, or {@code null}
   * @return the metric
   */
  public Metric metricStarterErrors(MetricOptions options) {
    return metrics.starterErrors(options);
  }

  /** Builds a {@link TaskStatusWorkflow} in the style of CDK's own Java builders. */
  public static final class Builder extends TaskStatusWorkflowProps.Setters<Builder> {
    private final Construct scope;
    private final String id;

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

    @Override
    Builder self() {
      return this;
    }

    /**
     * Creates the construct.
     *
     * @return the workflow
     * @throws IllegalArgumentException listing every invalid prop
     */
    public TaskStatusWorkflow build() {
      return new TaskStatusWorkflow(scope, id, props());
    }
  }
}
