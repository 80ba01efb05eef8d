package io.github.taskstatus.client;

/** The status of one task start, as its item's {@code Status} attribute records it. */
public enum TaskStatus {
  /** The execution recorded the start and is running the task. */
  STARTED,
  /** The task finished successfully. */
  DONE,
  /** The task failed; the item's {@code Error} and {@code Cause} say why. */
  FAILED,
  /**
   * The task was cancelled ({@link TaskStatusClient#cancel(String, String)}): its execution was
   * stopped, and the library's reconciler recorded it with {@code Error} {@value
   * TaskStatusClient#CANCELLED_ERROR} and the reason given as {@code Cause}.
   */
  CANCELLED;

  /**
   * Whether this status is final: the item will not change again (unless its execution is
   * redriven).
   *
   * @return {@code true} for {@link #DONE}, {@link #FAILED} and {@link #CANCELLED}
   */
  public boolean isFinal() {
    return this != STARTED;
  }
}
