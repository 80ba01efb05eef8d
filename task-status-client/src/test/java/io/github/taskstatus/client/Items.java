package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Items as the workflow writes them, in DynamoDB's JSON: every value a string. */
final class Items {
  static final String ARN_PREFIX =
      "arn:aws:states:us-east-1:123456789012:execution:TasksStateMachine:";

  private Items() {}

  /** An item with the attributes every item has. */
  static ObjectNode item(
      String taskId, String timestamp, String status, String updatedAt, String executionName) {
    ObjectNode item = FakeAws.JSON.createObjectNode();
    s(item, "taskId", taskId);
    n(item, "timestamp", timestamp);
    s(item, "Status", status);
    s(item, "ExecutionArn", ARN_PREFIX + executionName);
    s(item, "UpdatedAt", updatedAt);
    return item;
  }

  /** A FAILED item as the workflow writes it with the failed-task index. */
  static ObjectNode failed(
      String taskId, String timestamp, String updatedAt, String executionName) {
    ObjectNode item = item(taskId, timestamp, "FAILED", updatedAt, executionName);
    s(item, "Error", "States.TaskFailed");
    s(item, "Cause", "the oven is cold");
    s(item, "FailedIndexKey", "FAILED");
    return item;
  }

  /** A CANCELLED item as the reconciler records a cancellation: its error, the reason as cause. */
  static ObjectNode cancelled(
      String taskId, String timestamp, String updatedAt, String executionName, String reason) {
    ObjectNode item = item(taskId, timestamp, "CANCELLED", updatedAt, executionName);
    s(item, "Error", "TaskStatus.Cancelled");
    s(item, "Cause", reason);
    return item;
  }

  /** A STARTED item as the workflow writes it with the sweeper: in the open-task index. */
  static ObjectNode open(
      String taskId, String timestamp, String updatedAt, String executionName, String deadline) {
    ObjectNode item = item(taskId, timestamp, "STARTED", updatedAt, executionName);
    n(item, "RedriveCount", "0");
    s(item, "OpenIndexKey", "STARTED");
    s(item, "Deadline", deadline);
    return item;
  }

  /** The item as written by attempt {@code redriveCount} of its execution. */
  static ObjectNode attempt(ObjectNode item, int redriveCount) {
    return n(item, "RedriveCount", Integer.toString(redriveCount));
  }

  /**
   * The item with the {@code Attempts} history the workflow appends to as each attempt finishes: a
   * list of maps, in order.
   */
  static ObjectNode attempts(ObjectNode item, ObjectNode... entries) {
    ArrayNode list = item.putObject("Attempts").putArray("L");
    for (ObjectNode entry : entries) {
      list.addObject().set("M", entry);
    }
    return item;
  }

  /** An entry of the {@code Attempts} history; {@code error} only for a failure, else null. */
  static ObjectNode entry(int attempt, String status, String at, String error) {
    ObjectNode entry = FakeAws.JSON.createObjectNode();
    n(entry, "Attempt", Integer.toString(attempt));
    s(entry, "Status", status);
    s(entry, "At", at);
    if (error != null) {
      s(entry, "Error", error);
    }
    return entry;
  }

  /** The item with a worker's progress; {@code message} only if not null. */
  static ObjectNode progress(ObjectNode item, String percent, String message, String at) {
    n(item, "Progress", percent);
    s(item, "ProgressAt", at);
    if (message != null) {
      s(item, "ProgressMessage", message);
    }
    return item;
  }

  static ObjectNode s(ObjectNode item, String name, String value) {
    item.putObject(name).put("S", value);
    return item;
  }

  static ObjectNode n(ObjectNode item, String name, String value) {
    item.putObject(name).put("N", value);
    return item;
  }
}
