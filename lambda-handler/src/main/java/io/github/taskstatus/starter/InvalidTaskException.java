package io.github.taskstatus.starter;

/**
 * The event cannot become a task: the message says which field is wrong and what is allowed.
 * Retrying the same event can never succeed.
 */
final class InvalidTaskException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InvalidTaskException(String message) {
    super(message);
  }
}
