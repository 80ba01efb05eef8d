package io.github.taskstatus.client;

import io.github.taskstatus.client.TaskWorkEndedException.Reason;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Works the tasks of a {@code TaskStatusWorkflow} in worker mode: the state machine hands each task
 * to the worker queue and waits for its task token ({@code .waitForTaskToken}); a worker receives
 * it, reports progress, and answers.
 *
 * <p>The contract, for each task:
 *
 * <ol>
 *   <li>{@link #receive(int, Duration)} the task. Its message stays hidden from other workers for
 *       the queue's visibility timeout, which is the task's heartbeat timeout ({@link
 *       TaskWork#heartbeat()}).
 *   <li>{@link #progress(TaskWork, int, String)} at least once every heartbeat timeout, the first
 *       time as soon as possible: each call sends Step Functions a heartbeat, hides the message for
 *       another heartbeat timeout, and records the percentage on the task's item, where {@link
 *       TaskStatusClient} readers see it ({@link TaskRecord#progress()}).
 *   <li>{@link #succeed(TaskWork, String)} with the work's output, or {@link #fail(TaskWork,
 *       String, String)} with an error: the execution goes on, and the message is deleted.
 * </ol>
 *
 * <p>When a worker dies, its heartbeats stop: after the heartbeat timeout the task fails with
 * {@code States.HeartbeatTimeout} (and the workflow records it {@code FAILED}), and the message
 * becomes visible again. The next worker to receive it gets a {@link TaskWorkEndedException} (
 * {@link Reason#ENDED}) from its first call, and the message is deleted, so the dead task is not
 * handed out again. The same happens to a worker whose task was cancelled ({@link
 * TaskStatusClient#cancel(String, String)}) or answered already. Every call that learns from Step
 * Functions that the task has ended ({@code TaskTimedOut}) or that its token is unknown ({@code
 * InvalidToken}, {@code TaskDoesNotExist}) deletes the message before it throws.
 *
 * <pre>{@code
 * try (TaskWorker worker = TaskWorker.fromEnvironment()) {
 *   for (TaskWork work : worker.receive(1, Duration.ofSeconds(20))) {
 *     worker.progress(work, 0, "started");
 *     // ... the work, calling progress at least every work.heartbeat() ...
 *     worker.succeed(work, "{\"eggs\": 2}");
 *   }
 * }
 * }</pre>
 *
 * <p>A message that is not a task of the workflow (not the documented JSON object) is skipped and
 * left on the queue, so that after the queue's {@code maxReceiveCount} receives it moves to its
 * dead-letter queue; each skip is logged as one JSON line, at {@code WARNING}, through the JDK's
 * {@link System.Logger} named {@code io.github.taskstatus.client.TaskWorker} ({@code
 * java.util.logging} unless the application plugs in another backend), with the message id, the
 * receive count and what is wrong, never the body.
 *
 * <p>A worker is immutable and safe to share between threads; build it once and reuse it. It calls
 * SQS's {@code ReceiveMessage}, {@code ChangeMessageVisibility} and {@code DeleteMessage} on the
 * worker queue, Step Functions' {@code SendTaskHeartbeat}, {@code SendTaskSuccess} and {@code
 * SendTaskFailure}, and DynamoDB's {@code UpdateItem} and {@code GetItem} on the table. Failures of
 * those calls, other than the ones above, surface as the SDK's {@code SdkException}s.
 */
public final class TaskWorker implements AutoCloseable {

  /** The variable that holds the worker queue's URL. */
  public static final String ENV_QUEUE_URL = "TASK_STATUS_WORKER_QUEUE_URL";

  /** The variable that holds the table's name, as for {@link TaskStatusClient}. */
  public static final String ENV_TABLE = TaskStatusClient.ENV_TABLE;

  /**
   * The most tasks one {@link #receive(int, Duration)} returns: SQS's most messages per receive.
   */
  public static final int MAX_TASKS_PER_RECEIVE = 10;

  /** The longest wait of one {@link #receive(int, Duration)}: SQS's longest long poll. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(20);

  /** The largest output {@link #succeed(TaskWork, String)} sends, in UTF-8 bytes: 256 KiB. */
  public static final int MAX_OUTPUT_BYTES = 256 * 1024;

  /** The longest error {@link #fail(TaskWork, String, String)} sends, in characters. */
  public static final int MAX_ERROR_LENGTH = 256;

  /** The longest cause {@link #fail(TaskWork, String, String)} sends, in characters. */
  public static final int MAX_CAUSE_LENGTH = Arguments.MAX_CAUSE_LENGTH;

  /**
   * The progress update's condition: the item is this execution's, still {@code STARTED} in this
   * attempt, and its progress lower. The worker contract's own words.
   */
  static final String PROGRESS_CONDITION =
      "ExecutionArn = :arn AND #Status = :started AND RedriveCount = :attempt"
          + " AND (attribute_not_exists(Progress) OR Progress < :p)";

  private static final System.Logger LOG = System.getLogger(TaskWorker.class.getName());

  private final SqsClient sqs;
  private final SfnClient stepFunctions;
  private final DynamoDbClient dynamoDb;
  private final String queueUrl;
  private final String tableName;
  private final Clock clock;
  private final List<SdkAutoCloseable> owned;

  private TaskWorker(
      SqsClient sqs,
      SfnClient stepFunctions,
      DynamoDbClient dynamoDb,
      String queueUrl,
      String tableName,
      Clock clock,
      List<SdkAutoCloseable> owned) {
    this.sqs = sqs;
    this.stepFunctions = stepFunctions;
    this.dynamoDb = dynamoDb;
    this.queueUrl = queueUrl;
    this.tableName = tableName;
    this.clock = clock;
    this.owned = List.copyOf(owned);
  }

  /**
   * A builder, for a worker configured in code or pointed at SDK clients of your own.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A worker configured by the process's environment variables: {@value #ENV_QUEUE_URL} and {@value
   * #ENV_TABLE}, both required. It builds its own SDK clients with the default region and
   * credentials chains and the URLConnection HTTP client, and closes them when closed.
   *
   * @return the worker
   * @throws IllegalStateException naming the variable that is missing or blank
   */
  public static TaskWorker fromEnvironment() {
    return fromEnvironment(System::getenv);
  }

  /**
   * A worker configured by the given environment, as {@link #fromEnvironment()} reads it. {@code
   * AWS_REGION}, when the environment has it, sets the SDK clients' region.
   *
   * @param environment the value of a variable, or {@code null} when it is not set
   * @return the worker
   * @throws IllegalStateException naming the variable that is missing or blank
   */
  public static TaskWorker fromEnvironment(Function<String, String> environment) {
    Objects.requireNonNull(environment, "environment must not be null");
    Builder builder =
        builder()
            .queueUrl(required(environment, ENV_QUEUE_URL))
            .tableName(required(environment, ENV_TABLE));
    EnvironmentVariables.optional(environment, TaskStatusClient.ENV_REGION)
        .map(Region::of)
        .ifPresent(builder::region);
    return builder.build();
  }

  private static String required(Function<String, String> environment, String name) {
    return EnvironmentVariables.optional(environment, name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    name
                        + " is not set: a worker needs "
                        + ENV_QUEUE_URL
                        + " (the worker queue's URL) and "
                        + ENV_TABLE
                        + " (the table its progress goes to)"));
  }

  /**
   * Receives up to {@code maxTasks} tasks from the worker queue, waiting up to {@code wait} for the
   * first one (SQS's long polling). Each task's message is then hidden from other workers for the
   * task's heartbeat timeout. A message that is not a task of the workflow is skipped, left on the
   * queue (for its dead-letter queue) and logged, as the class describes.
   *
   * @param maxTasks the most tasks to receive, from 1 to 10
   * @param wait how long to wait for a task: whole seconds from 0 to 20
   * @return the tasks received, possibly none
   * @throws IllegalArgumentException if {@code maxTasks} or {@code wait} is out of range
   */
  public List<TaskWork> receive(int maxTasks, Duration wait) {
    if (maxTasks < 1 || maxTasks > MAX_TASKS_PER_RECEIVE) {
      throw new IllegalArgumentException("maxTasks must be from 1 to 10, got " + maxTasks);
    }
    Objects.requireNonNull(wait, "wait must not be null");
    if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0 || wait.getNano() != 0) {
      throw new IllegalArgumentException(
          "wait must be whole seconds from 0 to 20 (SQS's long polling), got " + wait);
    }
    List<Message> messages =
        sqs.receiveMessage(
                request ->
                    request
                        .queueUrl(queueUrl)
                        .maxNumberOfMessages(maxTasks)
                        .waitTimeSeconds((int) wait.toSeconds())
                        .messageSystemAttributeNames(
                            MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
            .messages();
    List<TaskWork> work = new ArrayList<>(messages.size());
    for (Message message : messages) {
      try {
        work.add(WorkMessages.parse(message));
      } catch (WorkMessages.NotWork e) {
        logSkipped(message, e.getMessage());
      }
    }
    return List.copyOf(work);
  }

  /** One JSON line per skipped message: what is wrong with it, never its body. */
  private void logSkipped(Message message, String problem) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("message", "skipped a worker queue message that is not a task of the workflow");
    line.put("queueUrl", queueUrl);
    line.put("messageId", message.messageId());
    line.put(
        "receiveCount",
        message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
    line.put("problem", problem);
    LOG.log(Level.WARNING, Json.writeString(line));
  }

  /**
   * Reports progress: sends Step Functions a heartbeat for the task, hides its message for another
   * heartbeat timeout, then records the percentage (and message) on the task's item, with the
   * worker's clock as {@code ProgressAt}, if the item is still {@code STARTED} by this execution's
   * attempt and its recorded percentage lower. Call it at least once every {@link
   * TaskWork#heartbeat()}: the heartbeat and the hidden message, not the record, keep the task
   * alive, so a call that records nothing still counts.
   *
   * <p>It returns {@code false}, having recorded nothing, when the item has a percentage as high or
   * higher, or when the attempt has not reopened the item yet (a redrive's attempt starts before
   * the workflow records it: its {@code RedriveCount} is still lower). When the item will not take
   * this attempt's progress at all (it is final, owned by another execution, written by a later
   * attempt, or gone), it throws {@link Reason#FINISHED}; the task itself is still waiting.
   *
   * <p>SQS hides a message for at most 12 hours after it was first received: past that, hiding it
   * again fails with the SDK's exception, and the message may be handed to another worker. Work
   * that may take longer does not fit the worker queue.
   *
   * @param work the task
   * @param percent how much is done, from 0 to 100
   * @param message what to show with it, at most 1000 characters; {@code null} for none (which
   *     removes an earlier one)
   * @return whether the progress was recorded
   * @throws IllegalArgumentException if the percentage or the message is out of range, before any
   *     call
   * @throws TaskWorkEndedException if the task has ended ({@link Reason#ENDED}), its token is
   *     unknown ({@link Reason#UNKNOWN_TOKEN}), both after deleting its message, or its item will
   *     not take progress ({@link Reason#FINISHED})
   * @throws TaskStatusException if the item, read to tell why it took nothing, is not one the
   *     workflow writes
   */
  public boolean progress(TaskWork work, int percent, String message) {
    Objects.requireNonNull(work, "work must not be null");
    if (percent < 0 || percent > TaskProgress.MAX_PERCENT) {
      throw new IllegalArgumentException("percent must be from 0 to 100, got " + percent);
    }
    if (message != null && message.length() > TaskProgress.MAX_MESSAGE_LENGTH) {
      throw new IllegalArgumentException(
          "message is "
              + message.length()
              + " characters; the maximum is "
              + TaskProgress.MAX_MESSAGE_LENGTH);
    }
    answer(
        work,
        "SendTaskHeartbeat",
        () -> stepFunctions.sendTaskHeartbeat(request -> request.taskToken(work.taskToken())));
    sqs.changeMessageVisibility(
        request ->
            request
                .queueUrl(queueUrl)
                .receiptHandle(work.receiptHandle())
                .visibilityTimeout((int) work.heartbeat().toSeconds()));
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":p", AttributeValue.fromN(Integer.toString(percent)));
    values.put(":at", AttributeValue.fromS(TaskItems.UTC_MILLIS.format(clock.instant())));
    values.put(":arn", AttributeValue.fromS(work.executionArn()));
    values.put(":started", AttributeValue.fromS(TaskStatus.STARTED.name()));
    values.put(":attempt", AttributeValue.fromN(Integer.toString(work.attempt())));
    String update;
    if (message == null) {
      update = "SET Progress = :p, ProgressAt = :at REMOVE ProgressMessage";
    } else {
      values.put(":m", AttributeValue.fromS(message));
      update = "SET Progress = :p, ProgressAt = :at, ProgressMessage = :m";
    }
    try {
      dynamoDb.updateItem(
          request ->
              request
                  .tableName(tableName)
                  .key(key(work))
                  .updateExpression(update)
                  .conditionExpression(PROGRESS_CONDITION)
                  .expressionAttributeNames(Map.of("#Status", TaskItems.STATUS))
                  .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return notRecorded(work, e);
    }
  }

  /**
   * Why the item took no progress, from a strongly consistent read of it: {@code false} for what a
   * later call may change, {@link Reason#FINISHED} for what it cannot.
   */
  private boolean notRecorded(TaskWork work, ConditionalCheckFailedException failed) {
    GetItemResponse response =
        dynamoDb.getItem(
            request -> request.tableName(tableName).key(key(work)).consistentRead(true));
    if (!response.hasItem() || response.item().isEmpty()) {
      throw finished(
          work, null, "has no item (timestamp " + work.timestamp().toPlainString() + ")", failed);
    }
    TaskRecord record = TaskItems.toRecord(response.item());
    String item = "its item (timestamp " + record.timestamp().toPlainString() + ")";
    if (!record.executionArn().equals(work.executionArn())) {
      throw finished(
          work, record, item + " is owned by another execution, " + record.executionArn(), failed);
    }
    if (record.redriveCount() > work.attempt()) {
      throw finished(
          work, record, item + " was written by a later attempt, " + record.redriveCount(), failed);
    }
    if (record.redriveCount() < work.attempt()) {
      return false;
    }
    if (record.status().isFinal()) {
      throw finished(work, record, item + " is already " + record.status(), failed);
    }
    return false;
  }

  private static TaskWorkEndedException finished(
      TaskWork work, TaskRecord record, String why, SdkException cause) {
    return new TaskWorkEndedException(
        "the work on "
            + work.describe()
            + " is no longer wanted: "
            + why
            + "; Step Functions still waits for the task: answer it with fail, or let it time out",
        work,
        Reason.FINISHED,
        record,
        cause);
  }

  /**
   * Succeeds the task with the output {@code {}}, then deletes its message.
   *
   * @param work the task
   * @throws TaskWorkEndedException if the task has ended or its token is unknown, after deleting
   *     its message
   */
  public void succeed(TaskWork work) {
    succeed(work, "{}");
  }

  /**
   * Succeeds the task with this output, which becomes the task state's result in the execution,
   * then deletes its message. If deleting fails, the SDK's exception propagates although the task
   * succeeded: the message reappears, and the next worker's first call ends it.
   *
   * @param work the task
   * @param outputJson the output: JSON, at most 256 KiB in UTF-8
   * @throws IllegalArgumentException if the output is not JSON or too large, before any call
   * @throws TaskWorkEndedException if the task has ended or its token is unknown, after deleting
   *     its message
   */
  public void succeed(TaskWork work, String outputJson) {
    Objects.requireNonNull(work, "work must not be null");
    Objects.requireNonNull(outputJson, "outputJson must not be null");
    int bytes = outputJson.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_OUTPUT_BYTES) {
      throw new IllegalArgumentException(
          "outputJson is " + bytes + " bytes in UTF-8; the maximum is " + MAX_OUTPUT_BYTES);
    }
    try {
      Json.readStrict(outputJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("outputJson is not JSON: " + Json.problem(e), e);
    }
    answer(
        work,
        "SendTaskSuccess",
        () ->
            stepFunctions.sendTaskSuccess(
                request -> request.taskToken(work.taskToken()).output(outputJson)));
    delete(work);
  }

  /**
   * Fails the task with this error and cause, which the workflow records on the item ({@code
   * Error}, {@code Cause}) unless its own work catches them, then deletes its message. If deleting
   * fails, the SDK's exception propagates although the task failed: the message reappears, and the
   * next worker's first call ends it.
   *
   * @param work the task
   * @param error the error name, such as {@code Oven.Cold}: non-blank, at most 256 characters
   * @param cause what happened, at most 32768 characters; {@code null} for none
   * @throws IllegalArgumentException if the error or the cause is out of range, before any call
   * @throws TaskWorkEndedException if the task has ended or its token is unknown, after deleting
   *     its message
   */
  public void fail(TaskWork work, String error, String cause) {
    Objects.requireNonNull(work, "work must not be null");
    Arguments.nonBlank(error, "error");
    if (error.length() > MAX_ERROR_LENGTH) {
      throw new IllegalArgumentException(
          "error is " + error.length() + " characters; the maximum is " + MAX_ERROR_LENGTH);
    }
    if (cause != null && cause.length() > MAX_CAUSE_LENGTH) {
      throw new IllegalArgumentException(
          "cause is " + cause.length() + " characters; the maximum is " + MAX_CAUSE_LENGTH);
    }
    answer(
        work,
        "SendTaskFailure",
        () ->
            stepFunctions.sendTaskFailure(
                request -> request.taskToken(work.taskToken()).error(error).cause(cause)));
    delete(work);
  }

  /**
   * Makes a call with the task's token; Step Functions' answer that the task has ended or that it
   * does not know the token deletes the message and throws.
   */
  private void answer(TaskWork work, String operation, Runnable call) {
    try {
      call.run();
    } catch (TaskTimedOutException e) {
      throw ended(
          work,
          Reason.ENDED,
          "has ended: Step Functions answered "
              + operation
              + " with TaskTimedOut, so the task was cancelled (its execution stopped), timed out"
              + " or answered already; Step Functions does not tell which",
          e);
    } catch (InvalidTokenException | TaskDoesNotExistException e) {
      throw ended(
          work,
          Reason.UNKNOWN_TOKEN,
          "cannot be answered: Step Functions answered "
              + operation
              + " with "
              + e.awsErrorDetails().errorCode()
              + ", it does not know the task token",
          e);
    }
  }

  private TaskWorkEndedException ended(
      TaskWork work, Reason reason, String what, SfnException cause) {
    Optional<SdkException> notDeleted = Optional.empty();
    try {
      delete(work);
    } catch (SdkException e) {
      notDeleted = Optional.of(e);
    }
    TaskWorkEndedException ended =
        new TaskWorkEndedException(
            work.describe()
                + " "
                + what
                + (notDeleted.isEmpty()
                    ? "; its message was deleted"
                    : "; deleting its message failed too (suppressed)"),
            work,
            reason,
            null,
            cause);
    notDeleted.ifPresent(ended::addSuppressed);
    return ended;
  }

  private void delete(TaskWork work) {
    sqs.deleteMessage(request -> request.queueUrl(queueUrl).receiptHandle(work.receiptHandle()));
  }

  private static Map<String, AttributeValue> key(TaskWork work) {
    return Map.of(
        TaskItems.TASK_ID,
        AttributeValue.fromS(work.taskId()),
        TaskItems.TIMESTAMP,
        AttributeValue.fromN(work.timestamp().toPlainString()));
  }

  /** Closes the SDK clients this worker built; clients given to the builder stay open. */
  @Override
  public void close() {
    owned.forEach(SdkAutoCloseable::close);
  }

  /**
   * Configures a {@link TaskWorker}: the worker queue and the table are required. SDK clients not
   * given are built with the defaults of {@link TaskWorker#fromEnvironment()} and closed with the
   * worker.
   */
  public static final class Builder {
    private String queueUrl;
    private String tableName;
    private SqsClient sqs;
    private SfnClient stepFunctions;
    private DynamoDbClient dynamoDb;
    private Region region;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The worker queue, which the state machine hands tasks to.
     *
     * @param queueUrl the queue's URL
     * @return this builder
     * @default none: required
     */
    public Builder queueUrl(String queueUrl) {
      this.queueUrl = Arguments.nonBlank(queueUrl, "queueUrl");
      return this;
    }

    /**
     * The workflow's table, where progress is recorded.
     *
     * @param tableName the table's name (or ARN)
     * @return this builder
     * @default none: required
     */
    public Builder tableName(String tableName) {
      this.tableName = Arguments.nonBlank(tableName, "tableName");
      return this;
    }

    /**
     * The SQS client to receive, hide and delete messages with; the worker never closes it. Give
     * its HTTP client a socket timeout above the 20 seconds a receive may wait.
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
     * The Step Functions client to send heartbeats and answers with; the worker never closes it.
     *
     * @param stepFunctions the client
     * @return this builder
     * @default one built with the default chains and the URLConnection HTTP client
     */
    public Builder stepFunctions(SfnClient stepFunctions) {
      this.stepFunctions = Objects.requireNonNull(stepFunctions, "stepFunctions must not be null");
      return this;
    }

    /**
     * The DynamoDB client to record progress with; the worker never closes it.
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
     * The clock that stamps progress ({@code ProgressAt}), for tests.
     *
     * @param clock the clock
     * @return this builder
     * @default {@link Clock#systemUTC()}
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /** The region of the SDK clients the builder creates; {@code fromEnvironment} sets it. */
    Builder region(Region region) {
      this.region = region;
      return this;
    }

    /**
     * Builds the worker, and the SDK clients it needs that were not given.
     *
     * @return the worker
     * @throws IllegalStateException if the queue URL or the table name is not set
     */
    public TaskWorker build() {
      if (queueUrl == null || tableName == null) {
        throw new IllegalStateException(
            "set "
                + (queueUrl == null ? "queueUrl (the worker queue's URL)" : "")
                + (queueUrl == null && tableName == null ? " and " : "")
                + (tableName == null ? "tableName (the table progress goes to)" : "")
                + ": a worker receives its tasks from the one and records progress in the other");
      }
      List<SdkAutoCloseable> owned = new ArrayList<>();
      try {
        return new TaskWorker(
            sqs != null ? sqs : DefaultClients.own(owned, DefaultClients.sqs(region)),
            stepFunctions != null
                ? stepFunctions
                : DefaultClients.own(owned, DefaultClients.stepFunctions(region)),
            dynamoDb != null
                ? dynamoDb
                : DefaultClients.own(owned, DefaultClients.dynamoDb(region)),
            queueUrl,
            tableName,
            clock,
            owned);
      } catch (RuntimeException e) {
        owned.forEach(SdkAutoCloseable::close);
        throw e;
      }
    }
  }
}
