package io.github.taskstatus.client;

/**
 * Something this client could not do: a task could not be started, an item in the table is not what
 * the workflow writes, a wait timed out. The subclasses tell which. Failures of the AWS calls
 * themselves surface as the SDK's own exceptions.
 */
public class TaskStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong, naming the task or item concerned
   */
  public TaskStatusException(String message) {
    super(message);
  }

  /**
   * Creates an exception with its cause.
   *
   * @param message what went wrong, naming the task or item concerned
   * @param cause the underlying failure
   */
  public TaskStatusException(String message, Throwable cause) {
    super(message, cause);
  }
}
