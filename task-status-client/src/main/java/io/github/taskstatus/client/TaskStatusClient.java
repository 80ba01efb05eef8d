package io.github.taskstatus.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Starts the tasks of a {@code TaskStatusWorkflow} and reads their status.
 *
 * <p>A task start is one item in the workflow's table: {@code STARTED} when its execution begins,
 * then {@code DONE}, {@code FAILED} or, once {@linkplain #cancel(String, String) cancelled}, {@code
 * CANCELLED}. {@link #start(String)} invokes the starter function (or, in queue mode, sends the
 * task to the queue); {@link #latest(String)}, {@link #history(String)}, {@link #await(String,
 * Duration)}, {@link #failedSince(Instant)} and {@link #open()} read the items; {@link
 * #retry(String)} starts a failed or cancelled task anew, {@link #redrive(String)} redrives its
 * execution and {@link #cancel(String, String)} stops it. The client uses only the calls the
 * construct's {@code grantStartTask} ({@code lambda:InvokeFunction}, or {@code sqs:SendMessage} in
 * queue mode), {@code grantReadStatus} ({@code dynamodb:Query}) and {@code grantRedrive} ({@code
 * states:RedriveExecution}) allow, and, to cancel, {@code states:StopExecution} and {@code
 * states:StartExecution} on the reconciler.
 *
 * <pre>{@code
 * try (TaskStatusClient tasks = TaskStatusClient.fromEnvironment()) {
 *   TaskStart start = tasks.start("Breakfast");
 *   TaskRecord done = tasks.await(start, Duration.ofMinutes(2));
 * }
 * }</pre>
 *
 * <p>A client is immutable and safe to share between threads; build it once (outside a Lambda
 * handler method) and reuse it. Failures of the AWS calls surface as the SDK's {@code
 * SdkException}s, after the SDK's own retries.
 */
public final class TaskStatusClient implements AutoCloseable {

  /** The variable that holds the table's name. */
  public static final String ENV_TABLE = "TASK_STATUS_TABLE";

  /** The variable that holds the starter function's ARN (or name) to invoke. */
  public static final String ENV_STARTER = "TASK_STATUS_STARTER";

  /** The variable that holds the queue's URL, in queue mode only. */
  public static final String ENV_QUEUE_URL = "TASK_STATUS_QUEUE_URL";

  /** The variable that holds the failed-task index's name, when the index exists. */
  public static final String ENV_FAILED_INDEX = "TASK_STATUS_FAILED_INDEX";

  /** The variable that holds the open-task index's name, when the index (the sweeper's) exists. */
  public static final String ENV_OPEN_INDEX = "TASK_STATUS_OPEN_INDEX";

  /**
   * The variable that holds the library's reconciler state machine's ARN, which {@link
   * #cancel(String, String)} starts after stopping an execution.
   */
  public static final String ENV_RECONCILER = "TASK_STATUS_RECONCILER";

  /**
   * The {@code Error} of a {@link TaskStatus#CANCELLED} item: the error name a cancellation stops
   * the execution with, which the library's reconciler records; the item's {@code Cause} is the
   * reason given.
   */
  public static final String CANCELLED_ERROR = "TaskStatus.Cancelled";

  /** The variable Lambda sets to the function's region. */
  static final String ENV_REGION = "AWS_REGION";

  /** The first pause between two reads of {@code await}. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);

  /** The longest pause between two reads of {@code await}. */
  public static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofSeconds(2);

  /**
   * How far the client's clock may be ahead of the starter's (Lambda's) for {@link
   * #await(TaskStart, Duration)} of a queued or duplicate start, whose item it looks for among the
   * items started at or after {@link TaskStart#requestedAt()} less this allowance. Five minutes is
   * the skew AWS itself tolerates between a request's signing time and its own clock (Signature
   * Version 4); a clock further ahead than that may make {@code await} miss the item and time out.
   */
  public static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofMinutes(5);

  private final TaskTable table;
  private final TaskStarter starter;
  private final ExecutionRedriver redriver;
  private final ExecutionCanceller canceller;
  private final Poller poller;
  private final List<SdkAutoCloseable> owned;

  private TaskStatusClient(
      TaskTable table,
      TaskStarter starter,
      ExecutionRedriver redriver,
      ExecutionCanceller canceller,
      Poller poller,
      List<SdkAutoCloseable> owned) {
    this.table = table;
    this.starter = starter;
    this.redriver = redriver;
    this.canceller = canceller;
    this.poller = poller;
    this.owned = List.copyOf(owned);
  }

  /**
   * A builder, for a client configured in code or pointed at SDK clients of your own (another
   * endpoint, region or credentials).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client configured by the process's environment variables, as the construct's {@code
   * clientEnvironment()} sets them for a function: {@value #ENV_TABLE}, {@value #ENV_STARTER},
   * {@value #ENV_QUEUE_URL} (queue mode), {@value #ENV_FAILED_INDEX} (with the failed-task index),
   * {@value #ENV_OPEN_INDEX} (with the sweeper's open-task index) and {@value #ENV_RECONCILER} (the
   * reconciler {@link #cancel(String, String)} starts). It builds its own SDK clients with the
   * default region and credentials chains and the URLConnection HTTP client, and closes them when
   * closed.
   *
   * @return the client
   * @throws IllegalStateException naming the variable that is missing or blank
   */
  public static TaskStatusClient fromEnvironment() {
    return fromEnvironment(System::getenv);
  }

  /**
   * A client configured by the given environment, as {@link #fromEnvironment()} reads it. {@code
   * AWS_REGION}, when the environment has it, sets the SDK clients' region; otherwise the SDK's
   * default region chain applies.
   *
   * @param environment the value of a variable, or {@code null} when it is not set
   * @return the client
   * @throws IllegalStateException naming the variable that is missing or blank, or set without the
   *     table it needs
   */
  public static TaskStatusClient fromEnvironment(Function<String, String> environment) {
    Objects.requireNonNull(environment, "environment must not be null");
    Optional<String> table = EnvironmentVariables.optional(environment, ENV_TABLE);
    Optional<String> starter = EnvironmentVariables.optional(environment, ENV_STARTER);
    Optional<String> queueUrl = EnvironmentVariables.optional(environment, ENV_QUEUE_URL);
    Optional<String> failedIndex = EnvironmentVariables.optional(environment, ENV_FAILED_INDEX);
    Optional<String> openIndex = EnvironmentVariables.optional(environment, ENV_OPEN_INDEX);
    Optional<String> reconciler = EnvironmentVariables.optional(environment, ENV_RECONCILER);
    if (table.isEmpty() && starter.isEmpty() && queueUrl.isEmpty()) {
      throw new IllegalStateException(
          "none of "
              + ENV_TABLE
              + ", "
              + ENV_STARTER
              + " and "
              + ENV_QUEUE_URL
              + " is set: give the function the environment of the construct's"
              + " clientEnvironment(), and grant it grantStartTask and grantReadStatus");
    }
    if (table.isEmpty() && (failedIndex.isPresent() || openIndex.isPresent())) {
      throw new IllegalStateException(
          (failedIndex.isPresent() ? ENV_FAILED_INDEX : ENV_OPEN_INDEX)
              + " is set but "
              + ENV_TABLE
              + " is not: the index belongs to the table");
    }
    if (table.isEmpty() && reconciler.isPresent()) {
      throw new IllegalStateException(
          ENV_RECONCILER
              + " is set but "
              + ENV_TABLE
              + " is not: cancel reads the task's item before it stops its execution");
    }
    Builder builder = builder();
    table.ifPresent(builder::tableName);
    starter.ifPresent(builder::starterFunction);
    queueUrl.ifPresent(builder::queueUrl);
    failedIndex.ifPresent(builder::failedTaskIndex);
    openIndex.ifPresent(builder::openTaskIndex);
    reconciler.ifPresent(builder::reconcilerStateMachine);
    EnvironmentVariables.optional(environment, ENV_REGION)
        .map(Region::of)
        .ifPresent(builder::region);
    return builder.build();
  }

  /**
   * Starts the task once more: a new execution and a new item, whatever the task's earlier starts.
   * Each call sends a fresh idempotency key, so the SDK's retries of this one call start the task
   * at most once. In queue mode the task is sent to the queue and starts when the starter receives
   * it.
   *
   * @param taskId the task id: non-blank, at most 1024 UTF-8 bytes, printable Unicode text
   * @return what was started (or sent)
   * @throws IllegalArgumentException if the task id is invalid (the message says why)
   * @throws IllegalStateException if the client has neither a starter function nor a queue
   * @throws TaskStartException if the starter reports a function error
   */
  public TaskStart start(String taskId) {
    Arguments.taskId(taskId);
    return starter().start(taskId);
  }

  /**
   * The task's latest start: its item with the highest timestamp, read strongly consistently.
   *
   * @param taskId the task id
   * @return the newest unexpired item; empty if the task has none
   * @throws IllegalArgumentException if the task id is invalid
   * @throws IllegalStateException if the client has no table
   * @throws TaskStatusException if the item is not one the workflow writes
   */
  public Optional<TaskRecord> latest(String taskId) {
    Arguments.taskId(taskId);
    return table().newest(taskId);
  }

  /**
   * Every start of the task still kept, oldest first.
   *
   * @param taskId the task id
   * @return the unexpired items, by timestamp; empty if there are none
   * @throws IllegalArgumentException if the task id is invalid
   * @throws IllegalStateException if the client has no table
   * @throws TaskStatusException if an item is not one the workflow writes
   */
  public List<TaskRecord> history(String taskId) {
    Arguments.taskId(taskId);
    return table().history(taskId);
  }

  /**
   * Waits until the task's latest start is final ({@code DONE}, {@code FAILED} or {@code
   * CANCELLED}), reading it with exponential backoff (see {@link Builder#pollInterval(Duration)}).
   * To wait for a start of your own, whatever other starts happen meanwhile, use {@link
   * #await(TaskStart, Duration)}; after a {@link #redrive(String)}, await the start it returns:
   * until the redriven attempt writes the item, the latest start is still the earlier attempt's
   * {@code FAILED}, which this method returns.
   *
   * @param taskId the task id
   * @param timeout how long to wait; zero reads once
   * @return the latest item, with its final status
   * @throws IllegalArgumentException if the task id is invalid or the timeout negative
   * @throws IllegalStateException if the client has no table
   * @throws TaskAwaitTimeoutException if the time is up first, naming the last status seen
   */
  public TaskRecord await(String taskId, Duration timeout) {
    return await(taskId, timeout, record -> {});
  }

  /**
   * Waits until the task's latest start is final, as {@link #await(String, Duration)} does, and
   * tells {@code onChange} of each change it sees on the way: the listener gets each item read
   * whose status, {@linkplain TaskRecord#progress() progress} percentage or {@linkplain
   * TaskRecord#redriveCount() redrive count} differs from the last item it got (the first item
   * read, then each change), in the order read, the final item included, on the thread that called
   * {@code await}, before {@code await} returns. Changes between two reads are not seen: a task
   * that goes from 10 % to 60 % between them is reported at 60 %. A newer start of the task is a
   * change too, if its status or progress differs. The listener's exceptions propagate out of
   * {@code await}, which then stops waiting.
   *
   * @param taskId the task id
   * @param timeout how long to wait; zero reads once
   * @param onChange told of each change, such as a progress bar's update
   * @return the latest item, with its final status
   * @throws IllegalArgumentException if the task id is invalid or the timeout negative
   * @throws IllegalStateException if the client has no table
   * @throws TaskAwaitTimeoutException if the time is up first, naming the last status seen
   */
  public TaskRecord await(String taskId, Duration timeout, Consumer<TaskRecord> onChange) {
    Arguments.taskId(taskId);
    Arguments.notNegative(timeout, "timeout");
    ChangeListener listener =
        new ChangeListener(Objects.requireNonNull(onChange, "onChange must not be null"));
    TaskTable table = table();
    return poller.until(
        taskId,
        timeout,
        () -> table.newest(taskId),
        record -> record.status().isFinal(),
        listener,
        seen ->
            "task '"
                + taskId
                + "' did not finish within "
                + timeout
                + ": "
                + seen.map(
                        record ->
                            "its latest start (timestamp "
                                + record.timestamp().toPlainString()
                                + ", execution "
                                + record.executionArn()
                                + ") is still "
                                + record.status())
                    .orElse("it has no item (not started yet, or its items expired)"));
  }

  /**
   * Waits until this very start is final ({@code DONE}, {@code FAILED} or {@code CANCELLED}),
   * whatever other starts of the task happen meanwhile: it follows the item of the start's own
   * execution. For a direct start that is the execution the starter answered with; in queue mode,
   * where the starter starts it later, the execution named {@link ExecutionNames#of(String,
   * String)} of the task id and the start's {@link TaskStart#idempotencyKey()}, which the client
   * sent in the message; for a {@link #redrive(String)}, the execution redriven, whose item it
   * already knows.
   *
   * <p>No read pages the task's history. A direct start's item is at the start's timestamp, or, if
   * another start of the task took that one first, at one of the next 10 whole seconds; each read
   * queries that window. A queued start's item, and a duplicate's (whose answer has no timestamp),
   * started at or after {@link TaskStart#requestedAt()} by the starter's clock; each read queries
   * the task's items from that time less {@link #CLOCK_SKEW_ALLOWANCE} on, newest first. Once the
   * item is found (a redrive's from the first read), each read queries its key alone.
   *
   * <p>A redriven start is final only for its own attempt: the item must be final with a {@code
   * RedriveCount} of at least the start's {@link TaskStart#redriveCount()}. Until the redriven
   * attempt writes it, the item still shows the earlier attempt's {@code FAILED}, which is not the
   * answer; the attempt may then reopen it ({@code STARTED}) first or finish it at once, depending
   * on where the redrive resumes and whether the reconciler saw the redrive first. If Step
   * Functions' status change events of the redriven attempt are lost (they are best effort) and it
   * wrote nothing itself, as when it resumed at a {@code Fail} state, the item never changes and
   * this times out.
   *
   * @param start what {@link #start(String)}, {@link #retry(String)} or {@link #redrive(String)}
   *     returned
   * @param timeout how long to wait; zero reads once
   * @return the start's item, with its final status
   * @throws IllegalArgumentException if the timeout is negative
   * @throws IllegalStateException if the client has no table
   * @throws TaskAwaitTimeoutException if the time is up first, naming the last status seen
   */
  public TaskRecord await(TaskStart start, Duration timeout) {
    return await(start, timeout, record -> {});
  }

  /**
   * Waits until this very start is final, as {@link #await(TaskStart, Duration)} does, and tells
   * {@code onChange} of each change it sees on the way: the listener gets each item of the start
   * read whose status, {@linkplain TaskRecord#progress() progress} percentage or {@linkplain
   * TaskRecord#redriveCount() redrive count} differs from the last item it got (the first item
   * read, then each change), in the order read, the final item included, on the thread that called
   * {@code await}, before {@code await} returns. Changes between two reads are not seen. For a
   * {@link #redrive(String)}, the first item it gets may be the earlier attempt's final one, until
   * the redriven attempt writes the item: its {@code redriveCount()} tells. The listener's
   * exceptions propagate out of {@code await}, which then stops waiting.
   *
   * <pre>{@code
   * TaskRecord end =
   *     tasks.await(
   *         start,
   *         Duration.ofMinutes(10),
   *         record ->
   *             System.out.println(
   *                 record.status()
   *                     + record.progress().map(p -> " " + p.percent() + " %").orElse("")));
   * }</pre>
   *
   * @param start what {@link #start(String)}, {@link #retry(String)} or {@link #redrive(String)}
   *     returned
   * @param timeout how long to wait; zero reads once
   * @param onChange told of each change, such as a progress bar's update
   * @return the start's item, with its final status
   * @throws IllegalArgumentException if the timeout is negative
   * @throws IllegalStateException if the client has no table
   * @throws TaskAwaitTimeoutException if the time is up first, naming the last status seen
   */
  public TaskRecord await(TaskStart start, Duration timeout, Consumer<TaskRecord> onChange) {
    Objects.requireNonNull(start, "start must not be null");
    Arguments.notNegative(timeout, "timeout");
    ChangeListener listener =
        new ChangeListener(Objects.requireNonNull(onChange, "onChange must not be null"));
    String taskId = start.taskId();
    int attempt = start.redriveCount();
    String execution =
        start
            .executionArn()
            .map(
                arn ->
                    "execution "
                        + arn
                        + (attempt > 0 ? ", redriven as attempt " + attempt + " or later" : ""))
            .orElseGet(
                () ->
                    "message "
                        + start.messageId().orElse("?")
                        + ", execution "
                        + ExecutionNames.of(taskId, start.idempotencyKey()));
    String notYet;
    if (attempt > 0) {
      notYet = "its item is not there any more (has it expired?)";
    } else if (start.executionArn().isPresent()) {
      notYet = "its item has not been written yet";
    } else {
      notYet = "its item has not been written yet (has the starter received the message?)";
    }
    return poller.until(
        taskId,
        timeout,
        StartItemSearch.of(table(), start, CLOCK_SKEW_ALLOWANCE),
        record -> record.status().isFinal() && record.redriveCount() >= attempt,
        listener,
        seen ->
            "task '"
                + taskId
                + "' ("
                + execution
                + ") did not finish within "
                + timeout
                + ": "
                + seen.map(record -> "its item (timestamp " + describe(record, attempt))
                    .orElse(notYet));
  }

  /** What an item that is not the answer yet shows, after its timestamp. */
  private static String describe(TaskRecord record, int attempt) {
    String timestamp = record.timestamp().toPlainString();
    if (record.status().isFinal()) {
      return timestamp
          + ") is still "
          + record.status()
          + " from attempt "
          + record.redriveCount()
          + ": the redriven attempt has not written it yet";
    }
    return timestamp + ") is still " + record.status();
  }

  /**
   * The starts that failed at or after {@code since}, from the failed-task index, oldest failure
   * first. The index is eventually consistent: a failure of the last second may be missing.
   *
   * @param since the earliest failure time ({@code UpdatedAt}) to include
   * @return the unexpired {@code FAILED} items
   * @throws IllegalStateException if the client has no table, or no failed-task index (the message
   *     says how to enable it)
   * @throws TaskStatusException if an item is not one the workflow writes
   */
  public List<TaskRecord> failedSince(Instant since) {
    Objects.requireNonNull(since, "since must not be null");
    return table().failedSince(since);
  }

  /**
   * The open starts: every item still {@code STARTED}, from the sweeper's open-task index, earliest
   * {@code Deadline} first (the deadline is the start's second plus the same timeout for every
   * start, so this is about oldest start first; an item reopened for a redrive keeps its first
   * attempt's deadline). Each page is one {@code Query} of the index, never a {@code Scan}; all
   * pages are read.
   *
   * <p>The index, like every global secondary index, is eventually consistent: a start of the last
   * second may be missing, and one that finished a moment ago may still be listed, as {@code
   * STARTED}. An item listed past its {@link TaskRecord#deadline()} is overdue, and the sweeper
   * will resolve it from its execution's real status.
   *
   * @return the unexpired open items
   * @throws IllegalStateException if the client has no table, or no open-task index (the message
   *     says how to enable it)
   * @throws TaskStatusException if an item is not one the workflow writes
   */
  public List<TaskRecord> open() {
    return table().open(Integer.MAX_VALUE);
  }

  /**
   * The first {@code limit} open starts of {@link #open()}, the earliest deadlines: reading pages
   * of {@code limit} items only until that many are found.
   *
   * @param limit the most items to return, 1 or more
   * @return at most {@code limit} unexpired open items, earliest deadline first
   * @throws IllegalArgumentException if the limit is less than 1
   * @throws IllegalStateException if the client has no table, or no open-task index
   * @throws TaskStatusException if an item is not one the workflow writes
   */
  public List<TaskRecord> open(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return table().open(limit);
  }

  /**
   * Starts the task again after its latest start failed or was cancelled, as {@link #start(String)}
   * does, with its own idempotency key: a new execution, which runs the work anew. The check and
   * the start are two calls: two clients retrying the same task at once may both start it.
   *
   * @param taskId the task id
   * @return what was started (or sent)
   * @throws IllegalArgumentException if the task id is invalid
   * @throws IllegalStateException if the client lacks the table or a starter
   * @throws TaskNotRetryableException if the latest start is neither {@code FAILED} nor {@code
   *     CANCELLED}, or the task has no item
   * @throws TaskStartException if the starter reports a function error
   */
  public TaskStart retry(String taskId) {
    Arguments.taskId(taskId);
    TaskStarter starter = starter();
    TaskRecord latest =
        table()
            .newest(taskId)
            .orElseThrow(
                () ->
                    new TaskNotRetryableException(
                        "task '"
                            + taskId
                            + "' cannot be retried: it has no item"
                            + " (never started, or its items expired); use start to start it",
                        taskId,
                        null));
    if (latest.status() != TaskStatus.FAILED && latest.status() != TaskStatus.CANCELLED) {
      throw new TaskNotRetryableException(
          "task '"
              + taskId
              + "' cannot be retried: its latest"
              + " start (timestamp "
              + latest.timestamp().toPlainString()
              + ") is "
              + latest.status()
              + ", not FAILED or CANCELLED",
          taskId,
          latest.status());
    }
    return starter.start(taskId);
  }

  /**
   * Redrives the execution of the task's latest start, with Step Functions' {@code
   * RedriveExecution}: no new execution and no new item. As AWS documents it, a redrive continues a
   * failed, timed-out or aborted Standard execution from the step that did not succeed, with the
   * same input, the same definition and the same execution ARN; steps that succeeded are not run
   * again (in a {@code Parallel} or inline {@code Map} state, only the branches or iterations that
   * failed are). Step Functions redrives an execution only within 14 days of its end, and never an
   * Express one. The workflow then records the new attempt on the same item: it may reopen it
   * ({@code STARTED}, {@code RedriveCount} one higher), and it finishes it {@code DONE} or {@code
   * FAILED}; a {@code DONE} item after a redrive keeps the {@code Error} and {@code Cause} of the
   * failure it recovered from.
   *
   * <p>A redrive is not a retry. When the work failed and the workflow caught the error (the work's
   * error, or a failure to record {@code DONE}), it recorded {@code FAILED} and the execution
   * failed at its {@code Fail} state: that state is the step that did not succeed, so a redrive
   * resumes there and fails again at once, with the same error. A redrive helps when the execution
   * broke off where no Catch took it: it timed out or was aborted, or a step failed with an error
   * the workflow does not catch ({@code States.Runtime}, or {@code RecordStarted} out of DynamoDB
   * retries); it then resumes at the step that was running or failed. To run the work anew, use
   * {@link #retry(String)}.
   *
   * <p>The client refuses, without calling Step Functions, what the item already tells: no item,
   * {@code DONE}, {@code CANCELLED} (use {@link #retry(String)}), still {@code STARTED}, an Express
   * execution ({@code :express:} in its ARN), or an end ({@code UpdatedAt}, by the builder's {@link
   * Builder#clock(Clock) clock}) more than 14 days ago. Step Functions decides the rest ({@code
   * ExecutionNotRedrivable}: the execution is running or succeeded though the item does not say so
   * yet, its history is too long, ...). Two clients redriving at once cannot both redrive it: the
   * second is refused as running. Each call sends a fresh client token, so the SDK's retries of
   * this one call redrive at most once.
   *
   * <p>It needs the construct's {@code grantRedrive} ({@code states:RedriveExecution} on the state
   * machine's executions) and {@code grantReadStatus} (to read the latest start). Pass the result
   * to {@link #await(TaskStart, Duration)} to wait for the redriven attempt's end.
   *
   * @param taskId the task id
   * @return the redrive: the latest start's execution and item, with the attempt in {@link
   *     TaskStart#redriveCount()}
   * @throws IllegalArgumentException if the task id is invalid
   * @throws IllegalStateException if the client has no table
   * @throws TaskNotRedrivableException if the latest start cannot be redriven, with the {@link
   *     TaskNotRedrivableException#reason() reason}
   * @throws TaskStatusException if the latest item is not one the workflow writes
   */
  public TaskStart redrive(String taskId) {
    Arguments.taskId(taskId);
    TaskTable table = table();
    return redriver.redrive(taskId, table.newest(taskId));
  }

  /**
   * Cancels the task's latest start, if it is still open: stops its execution with Step Functions'
   * {@code StopExecution}, with the error {@value #CANCELLED_ERROR} and the reason as its cause,
   * then, when the client knows the library's reconciler ({@link
   * Builder#reconcilerStateMachine(String)}, {@value #ENV_RECONCILER}), starts it with the
   * cancellation, so that the item is {@code CANCELLED} (with that error, and the reason as {@code
   * Cause}) within moments, even if Step Functions' status change event, which is best effort, is
   * lost. Without the reconciler's ARN the item changes when that event arrives, or else when the
   * sweeper finds it overdue; until then it stays {@code STARTED}. A {@link TaskWorker} of the
   * stopped task learns of it on its next call ({@link TaskWorkEndedException.Reason#ENDED}).
   *
   * <p>The client refuses, without a call, what the item already tells: no item, a start already
   * {@code DONE}, {@code FAILED} or {@code CANCELLED}, and an Express execution (Step Functions
   * stops Standard executions only). A start that ends on its own between the read and the stop
   * keeps its end: Step Functions leaves an execution that is no longer running as it is. After a
   * {@link #redrive(String)}, cancel the start it returned: until the redriven attempt reopens the
   * item, the latest start still shows the earlier attempt's end, which this method refuses. If
   * starting the reconciler fails, its exception propagates after the execution was stopped;
   * calling {@code cancel} again stops nothing twice and starts the reconciler once more, or
   * refuses with {@code FINISHED} once the item is {@code CANCELLED}. To run a cancelled task
   * again, use {@link #retry(String)}.
   *
   * <p>It needs {@code states:StopExecution} on the state machine's executions, {@code
   * states:StartExecution} on the reconciler, and {@code grantReadStatus}.
   *
   * @param taskId the task id
   * @param reason why, recorded as the item's {@code Cause}: non-blank, at most 32768 characters
   *     (Step Functions' limit on a cause)
   * @throws IllegalArgumentException if the task id or the reason is invalid
   * @throws IllegalStateException if the client has no table
   * @throws TaskNotCancellableException if the latest start cannot be cancelled, with the {@link
   *     TaskNotCancellableException#reason() reason}
   * @throws TaskStatusException if the latest item is not one the workflow writes
   * @throws software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException if Step
   *     Functions does not know the item's execution (it expired from Step Functions' history, or
   *     the item was written by hand)
   */
  public void cancel(String taskId, String reason) {
    Arguments.taskId(taskId);
    Arguments.reason(reason);
    canceller.cancelLatest(taskId, table().newest(taskId), reason);
  }

  /**
   * Cancels this very start, as {@link #cancel(String, String)} cancels the latest one, whatever
   * other starts of the task happen meanwhile: it reads the start's own item once, as {@link
   * #await(TaskStart, Duration)} finds it. A start whose item is not written yet (queue mode,
   * before the starter received the message; a direct start in the few milliseconds before its
   * execution records {@code STARTED}) is refused with {@link
   * TaskNotCancellableException.Reason#NO_ITEM}: cancel it again a moment later. For a {@link
   * #redrive(String)}, the redriven attempt is cancelled, even while the item still shows the
   * earlier attempt's end.
   *
   * @param start what {@link #start(String)}, {@link #retry(String)} or {@link #redrive(String)}
   *     returned
   * @param reason why, recorded as the item's {@code Cause}: non-blank, at most 32768 characters
   * @throws IllegalArgumentException if the reason is invalid
   * @throws IllegalStateException if the client has no table
   * @throws TaskNotCancellableException if the start cannot be cancelled, with the {@link
   *     TaskNotCancellableException#reason() reason}
   * @throws TaskStatusException if the item is not one the workflow writes
   * @throws software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException if Step
   *     Functions does not know the start's execution
   */
  public void cancel(TaskStart start, String reason) {
    Objects.requireNonNull(start, "start must not be null");
    Arguments.reason(reason);
    canceller.cancelStart(
        start, StartItemSearch.of(table(), start, CLOCK_SKEW_ALLOWANCE).get(), reason);
  }

  /** Closes the SDK clients this client built; clients given to the builder stay open. */
  @Override
  public void close() {
    owned.forEach(SdkAutoCloseable::close);
  }

  private TaskTable table() {
    if (table == null) {
      throw new IllegalStateException(
          "this client has no table to read: set tableName(...) on"
              + " the builder, or "
              + ENV_TABLE
              + " in the environment");
    }
    return table;
  }

  private TaskStarter starter() {
    if (starter == null) {
      throw new IllegalStateException(
          "this client cannot start tasks: set starterFunction(...)"
              + " or queueUrl(...) on the builder, or "
              + ENV_STARTER
              + " or "
              + ENV_QUEUE_URL
              + " in the environment");
    }
    return starter;
  }

  /**
   * Configures a {@link TaskStatusClient}. Set the table to read status (and redrive), the starter
   * function or the queue to start tasks, or all of them. SDK clients not given are built with the
   * defaults of {@link TaskStatusClient#fromEnvironment()} and closed with the client.
   */
  public static final class Builder {
    private String tableName;
    private String starterFunction;
    private String queueUrl;
    private String failedTaskIndex;
    private String openTaskIndex;
    private String reconcilerStateMachine;
    private DynamoDbClient dynamoDb;
    private LambdaClient lambda;
    private SqsClient sqs;
    private SfnClient stepFunctions;
    private Region region;
    private Clock clock = Clock.systemUTC();
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private Duration maxPollInterval = DEFAULT_MAX_POLL_INTERVAL;

    private Builder() {}

    /**
     * The table to read status from.
     *
     * @param tableName the table's name (or ARN)
     * @return this builder
     * @default none: the client cannot read status
     */
    public Builder tableName(String tableName) {
      this.tableName = Arguments.nonBlank(tableName, "tableName");
      return this;
    }

    /**
     * The starter function to invoke for {@link TaskStatusClient#start(String)}.
     *
     * @param starterFunction its name or ARN, such as the ARN of its alias
     * @return this builder
     * @default none: without a queue URL either, the client cannot start tasks
     */
    public Builder starterFunction(String starterFunction) {
      this.starterFunction = Arguments.nonBlank(starterFunction, "starterFunction");
      return this;
    }

    /**
     * Queue mode: {@link TaskStatusClient#start(String)} sends the task to this queue instead of
     * invoking the starter function.
     *
     * @param queueUrl the queue's URL
     * @return this builder
     * @default none: tasks start through the starter function
     */
    public Builder queueUrl(String queueUrl) {
      this.queueUrl = Arguments.nonBlank(queueUrl, "queueUrl");
      return this;
    }

    /**
     * The failed-task index, which {@link TaskStatusClient#failedSince(Instant)} queries.
     *
     * @param failedTaskIndex the index's name, {@code FailedTasks}
     * @return this builder
     * @default none: {@code failedSince} is unavailable
     */
    public Builder failedTaskIndex(String failedTaskIndex) {
      this.failedTaskIndex = Arguments.nonBlank(failedTaskIndex, "failedTaskIndex");
      return this;
    }

    /**
     * The open-task index (the sweeper's), which {@link TaskStatusClient#open()} queries.
     *
     * @param openTaskIndex the index's name, {@code OpenTasks}
     * @return this builder
     * @default none: {@code open} is unavailable
     */
    public Builder openTaskIndex(String openTaskIndex) {
      this.openTaskIndex = Arguments.nonBlank(openTaskIndex, "openTaskIndex");
      return this;
    }

    /**
     * The library's reconciler state machine, which {@link TaskStatusClient#cancel(String, String)}
     * starts after stopping an execution, so that the item is recorded {@code CANCELLED} at once.
     *
     * @param reconcilerStateMachine the reconciler's ARN
     * @return this builder
     * @default none: {@code cancel} only stops the execution, and the item changes when Step
     *     Functions' status change event arrives or the sweeper runs
     */
    public Builder reconcilerStateMachine(String reconcilerStateMachine) {
      this.reconcilerStateMachine =
          Arguments.nonBlank(reconcilerStateMachine, "reconcilerStateMachine");
      return this;
    }

    /**
     * The DynamoDB client to read the table with; the task status client never closes it.
     *
     * @param dynamoDb the client
     * @return this builder
     * @default one built with the default chains and the URLConnection HTTP client
     */
    public Builder dynamoDb(DynamoDbClient dynamoDb) {
      this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb must not be null");
      return this;
    }

    /**
     * The Lambda client to invoke the starter with; the task status client never closes it. Give
     * its HTTP client a socket timeout above the starter's 30-second timeout.
     *
     * @param lambda the client
     * @return this builder
     * @default one built with the default chains and the URLConnection HTTP client, with a
     *     45-second socket timeout
     */
    public Builder lambda(LambdaClient lambda) {
      this.lambda = Objects.requireNonNull(lambda, "lambda must not be null");
      return this;
    }

    /**
     * The SQS client to send tasks with in queue mode; the task status client never closes it.
     *
     * @param sqs the client
     * @return this builder
     * @default one built with the default chains and the URLConnection HTTP client
     */
    public Builder sqs(SqsClient sqs) {
      this.sqs = Objects.requireNonNull(sqs, "sqs must not be null");
      return this;
    }

    /**
     * The Step Functions client to redrive and cancel executions with ({@link
     * TaskStatusClient#redrive(String)}, {@link TaskStatusClient#cancel(String, String)}); the task
     * status client never closes it.
     *
     * @param stepFunctions the client
     * @return this builder
     * @default one built on the first redrive or cancellation, with the default chains and the
     *     URLConnection HTTP client (an application that never calls them does not pay for it at
     *     start-up)
     */
    public Builder stepFunctions(SfnClient stepFunctions) {
      this.stepFunctions = Objects.requireNonNull(stepFunctions, "stepFunctions must not be null");
      return this;
    }

    /**
     * The wall clock that tells which items have expired, when a start was sent and whether a
     * failed start ended within the 14 days a redrive allows. Waiting itself is timed with {@link
     * System#nanoTime()}.
     *
     * @param clock the clock
     * @return this builder
     * @default {@link Clock#systemUTC()}
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * The first pause between two reads of {@code await}; each next pause doubles, up to {@link
     * #maxPollInterval(Duration)}.
     *
     * @param pollInterval a positive duration
     * @return this builder
     * @default 100 milliseconds
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Arguments.positive(pollInterval, "pollInterval");
      return this;
    }

    /**
     * The longest pause between two reads of {@code await}.
     *
     * @param maxPollInterval a positive duration, at least {@link #pollInterval(Duration)}
     * @return this builder
     * @default 2 seconds
     */
    public Builder maxPollInterval(Duration maxPollInterval) {
      this.maxPollInterval = Arguments.positive(maxPollInterval, "maxPollInterval");
      return this;
    }

    /** The region of the SDK clients the builder creates; {@code fromEnvironment} sets it. */
    Builder region(Region region) {
      this.region = region;
      return this;
    }

    /**
     * Builds the client, and the SDK clients it needs that were not given.
     *
     * @return the client
     * @throws IllegalStateException if neither a table, a starter function nor a queue is set, or
     *     an index or the reconciler is set without the table
     * @throws IllegalArgumentException if the poll interval exceeds the maximum
     */
    public TaskStatusClient build() {
      if (tableName == null && starterFunction == null && queueUrl == null) {
        throw new IllegalStateException(
            "set tableName to read status, starterFunction or"
                + " queueUrl to start tasks, or both");
      }
      if (failedTaskIndex != null && tableName == null) {
        throw new IllegalStateException(
            "failedTaskIndex ("
                + failedTaskIndex
                + ") needs"
                + " tableName: the index belongs to the table");
      }
      if (openTaskIndex != null && tableName == null) {
        throw new IllegalStateException(
            "openTaskIndex ("
                + openTaskIndex
                + ") needs tableName: the index belongs to the table");
      }
      if (reconcilerStateMachine != null && tableName == null) {
        throw new IllegalStateException(
            "reconcilerStateMachine ("
                + reconcilerStateMachine
                + ") needs tableName: cancel reads the task's item before it stops its execution");
      }
      if (pollInterval.compareTo(maxPollInterval) > 0) {
        throw new IllegalArgumentException(
            "pollInterval ("
                + pollInterval
                + ") must not exceed"
                + " maxPollInterval ("
                + maxPollInterval
                + ")");
      }
      List<SdkAutoCloseable> owned = new ArrayList<>();
      try {
        TaskTable table =
            tableName == null
                ? null
                : new TaskTable(
                    dynamoDb != null
                        ? dynamoDb
                        : DefaultClients.own(owned, DefaultClients.dynamoDb(region)),
                    tableName,
                    failedTaskIndex,
                    openTaskIndex,
                    clock);
        TaskStarter starter = null;
        if (queueUrl != null) {
          starter =
              new QueueStarter(
                  sqs != null ? sqs : DefaultClients.own(owned, DefaultClients.sqs(region)),
                  queueUrl,
                  clock);
        } else if (starterFunction != null) {
          starter =
              new FunctionStarter(
                  lambda != null
                      ? lambda
                      : DefaultClients.own(owned, DefaultClients.lambda(region)),
                  starterFunction,
                  clock);
        }
        // Copies: the lambdas outlive this builder, which may still be changed and built again.
        SfnClient given = stepFunctions;
        Region lazyRegion = region;
        Supplier<SfnClient> sfn =
            given != null
                ? () -> given
                : DefaultClients.own(
                    owned, new LazyClient<>(() -> DefaultClients.stepFunctions(lazyRegion)));
        return new TaskStatusClient(
            table,
            starter,
            new ExecutionRedriver(sfn, clock),
            new ExecutionCanceller(sfn, reconcilerStateMachine),
            new Poller(pollInterval, maxPollInterval),
            owned);
      } catch (RuntimeException e) {
        owned.forEach(SdkAutoCloseable::close);
        throw e;
      }
    }
  }
}
