package io.github.taskstatus.client;

import java.util.Objects;

/**
 * The starter function failed to start a task: it reported a function error, such as {@code
 * io.github.taskstatus.starter.InvalidTaskException} for a task id it rejects, or Step Functions
 * still throttling after the starter's retries. Nothing was started unless the error came after the
 * start (a timeout, for example); {@link #isInvalidTask()} tells the errors that no retry can cure.
 */
public final class TaskStartException extends TaskStatusException {
  private static final long serialVersionUID = 1L;

  /** The error type the starter's runtime used for its exception. */
  static final String INVALID_TASK = "io.github.taskstatus.starter.InvalidTaskException";

  /** The task that was to start. */
  private final String taskId;

  /** Lambda's {@code X-Amz-Function-Error}: {@code Unhandled} or {@code Handled}. */
  private final String functionError;

  /** The payload's {@code errorType}. */
  private final String errorType;

  /** The payload's {@code errorMessage}. */
  private final String errorMessage;

  /**
   * Creates an exception from a function error.
   *
   * @param taskId the task that was to start
   * @param functionError the kind of function error Lambda reported, such as {@code Unhandled}
   * @param errorType the payload's {@code errorType}
   * @param errorMessage the payload's {@code errorMessage}
   */
  public TaskStartException(
      String taskId, String functionError, String errorType, String errorMessage) {
    super("the starter did not start task '" + taskId + "': " + errorType + ": " + errorMessage);
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.functionError = Objects.requireNonNull(functionError, "functionError");
    this.errorType = Objects.requireNonNull(errorType, "errorType");
    this.errorMessage = Objects.requireNonNull(errorMessage, "errorMessage");
  }

  /**
   * The task that was to start.
   *
   * @return the task id
   */
  public String taskId() {
    return taskId;
  }

  /**
   * The kind of function error Lambda reported ({@code X-Amz-Function-Error}).
   *
   * @return usually {@code Unhandled}
   */
  public String functionError() {
    return functionError;
  }

  /**
   * The error type from the function's error payload, such as {@code
   * io.github.taskstatus.starter.InvalidTaskException} or {@code Sandbox.Timedout}; the function
   * error kind when the payload names none.
   *
   * @return the error type
   */
  public String errorType() {
    return errorType;
  }

  /**
   * The error message from the function's error payload; when it has none, what is wrong with the
   * payload (never the payload itself).
   *
   * @return the error message, such as {@code taskId must be a non-blank string}
   */
  public String errorMessage() {
    return errorMessage;
  }

  /**
   * Whether the starter rejected the task id itself, so that starting it again cannot succeed.
   *
   * @return {@code true} for the starter's {@code InvalidTaskException}
   */
  public boolean isInvalidTask() {
    return INVALID_TASK.equals(errorType);
  }
}
