package io.github.taskstatus.client;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Reads a task's items with {@code Query} only (no {@code Scan}, no {@code DescribeTable}): what
 * {@code grantReadStatus} allows. Reads of the table are strongly consistent, so a status the
 * workflow has written is seen at once; the failed-task and open-task indexes, like every global
 * secondary index, are eventually consistent. Items past their {@code ExpiresAt} are left out
 * everywhere: Time to Live deletes them only within days.
 */
final class TaskTable {

  /**
   * Items read per page when only the newest few matter. Small items cost the same read capacity up
   * to 4 KB, so ten cost what one does, and one more page is rarely needed.
   */
  static final int PROBE_PAGE_SIZE = 10;

  /** {@code timestamp} is a DynamoDB reserved word: expressions must use a placeholder. */
  private static final Map<String, String> TIMESTAMP_NAME =
      Map.of("#timestamp", TaskItems.TIMESTAMP);

  private static final DateTimeFormatter WHOLE_SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private final DynamoDbClient dynamoDb;
  private final String tableName;
  private final String failedIndex;
  private final String openIndex;
  private final Clock clock;

  TaskTable(
      DynamoDbClient dynamoDb,
      String tableName,
      String failedIndex,
      String openIndex,
      Clock clock) {
    this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
    this.tableName = Objects.requireNonNull(tableName, "tableName");
    this.failedIndex = failedIndex;
    this.openIndex = openIndex;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The task's newest live item. */
  Optional<TaskRecord> newest(String taskId) {
    return live(byTask(taskId).scanIndexForward(false).limit(PROBE_PAGE_SIZE)).findFirst();
  }

  /** Every live item of the task, oldest first. */
  List<TaskRecord> history(String taskId) {
    return live(byTask(taskId).scanIndexForward(true)).toList();
  }

  /** The task's live item at exactly this timestamp, if it is {@code wanted}. */
  Optional<TaskRecord> at(String taskId, BigDecimal timestamp, Predicate<TaskRecord> wanted) {
    QueryRequest.Builder query =
        byTask(
            taskId,
            TaskItems.TASK_ID + " = :taskId AND #timestamp = :at",
            Map.of(":at", timestamp));
    return live(query).filter(wanted).findFirst();
  }

  /**
   * The first {@code wanted} live item of the task with a timestamp in {@code [from, to]} ({@code
   * [from, ∞)} without {@code to}), searching up from {@code from} or down from the top. Every page
   * is read with the window as its key condition, so no request reads an item outside it.
   */
  Optional<TaskRecord> firstIn(
      String taskId,
      BigDecimal from,
      BigDecimal to,
      boolean newestFirst,
      Predicate<TaskRecord> wanted) {
    QueryRequest.Builder query;
    if (to == null) {
      query =
          byTask(
              taskId,
              TaskItems.TASK_ID + " = :taskId AND #timestamp >= :from",
              Map.of(":from", from));
    } else {
      query =
          byTask(
              taskId,
              TaskItems.TASK_ID + " = :taskId AND #timestamp BETWEEN :from AND :to",
              Map.of(":from", from, ":to", to));
    }
    return live(query.scanIndexForward(!newestFirst).limit(PROBE_PAGE_SIZE))
        .filter(wanted)
        .findFirst();
  }

  /**
   * The live FAILED items that failed at or after {@code since}, oldest failure first.
   *
   * <p>The key condition compares {@code UpdatedAt} as a string. Step Functions writes it with
   * milliseconds ({@code 2026-01-01T12:00:00.123Z}), and in ASCII {@code '.'} sorts before {@code
   * 'Z'}, so {@code since} written as {@code ...12:00:00Z} would leave out the failures later in
   * that same second. The bound is therefore {@code since}'s whole second without a zone, a prefix
   * of every {@code UpdatedAt} in that second; the exact comparison follows.
   */
  List<TaskRecord> failedSince(Instant since) {
    if (failedIndex == null) {
      throw new IllegalStateException(
          "failedSince needs the failed-task index: enable"
              + " failedTaskIndex on the TaskStatusWorkflow, then set"
              + " failedTaskIndex(\"FailedTasks\")"
              + " on the client's builder, or pass the construct's clientEnvironment(), which sets"
              + " TASK_STATUS_FAILED_INDEX");
    }
    Instant bound = since.isBefore(Instant.EPOCH) ? Instant.EPOCH : since;
    QueryRequest.Builder query =
        QueryRequest.builder()
            .tableName(tableName)
            .indexName(failedIndex)
            .keyConditionExpression(
                TaskItems.FAILED_INDEX_KEY
                    + " = :failed AND "
                    + TaskItems.UPDATED_AT
                    + " >= :since")
            .expressionAttributeValues(
                Map.of(
                    ":failed", string(TaskStatus.FAILED.name()),
                    ":since", string(WHOLE_SECONDS.format(bound.truncatedTo(ChronoUnit.SECONDS)))))
            .scanIndexForward(true);
    return live(query)
        .filter(record -> !record.updatedAt().isBefore(since))
        .sorted(Comparator.comparing(TaskRecord::updatedAt))
        .toList();
  }

  /**
   * At most {@code limit} live items of the open-task index, earliest {@code Deadline} first: the
   * index's own order, since the workflow writes every deadline in one form, in which string order
   * is time order. Pages of {@code limit} items are read until that many are found or none is left.
   */
  List<TaskRecord> open(int limit) {
    if (openIndex == null) {
      throw new IllegalStateException(
          "open needs the open-task index: keep the TaskStatusWorkflow's sweeper on (the"
              + " default, except with existingTable), then set openTaskIndex(\"OpenTasks\") on the"
              + " client's builder, or pass the construct's clientEnvironment(), which sets"
              + " TASK_STATUS_OPEN_INDEX");
    }
    QueryRequest.Builder query =
        QueryRequest.builder()
            .tableName(tableName)
            .indexName(openIndex)
            .keyConditionExpression(TaskItems.OPEN_INDEX_KEY + " = :open")
            .expressionAttributeValues(Map.of(":open", string(TaskStatus.STARTED.name())))
            .scanIndexForward(true);
    if (limit < Integer.MAX_VALUE) {
      query.limit(limit);
    }
    return live(query).limit(limit).toList();
  }

  /** A query of all the task's items, strongly consistent. */
  private QueryRequest.Builder byTask(String taskId) {
    return QueryRequest.builder()
        .tableName(tableName)
        .consistentRead(true)
        .keyConditionExpression(TaskItems.TASK_ID + " = :taskId")
        .expressionAttributeValues(Map.of(":taskId", string(taskId)));
  }

  /**
   * A query of the task's items whose timestamps satisfy the key condition, strongly consistent.
   *
   * @param bounds the timestamps the condition names, by placeholder
   */
  private QueryRequest.Builder byTask(
      String taskId, String keyCondition, Map<String, BigDecimal> bounds) {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":taskId", string(taskId));
    bounds.forEach((name, value) -> values.put(name, AttributeValue.fromN(value.toPlainString())));
    return QueryRequest.builder()
        .tableName(tableName)
        .consistentRead(true)
        .keyConditionExpression(keyCondition)
        .expressionAttributeNames(TIMESTAMP_NAME)
        .expressionAttributeValues(values);
  }

  /** The query's items across pages, fetched lazily, without the expired ones. */
  private Stream<TaskRecord> live(QueryRequest.Builder query) {
    Instant now = clock.instant();
    return dynamoDb.queryPaginator(query.build()).items().stream()
        .map(TaskItems::toRecord)
        .filter(record -> !record.isExpiredAt(now));
  }

  private static AttributeValue string(String value) {
    return AttributeValue.fromS(value);
  }
}
