package io.github.taskstatus.starter;

/**
 * The event cannot become a task: the message says which field is wrong and what is allowed.
 * Retrying the same event can never succeed.
 */
public final class InvalidTaskException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong with the event, for the caller
   */
  public InvalidTaskException(String message) {
    super(message);
  }
}
