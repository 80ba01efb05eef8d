package io.github.taskstatus.client;

/** The status of one task start, as its item's {@code Status} attribute records it. */
public enum TaskStatus {
  /** The execution recorded the start and is running the task. */
  STARTED,
  /** The task finished successfully. */
  DONE,
  /** The task failed; the item's {@code Error} and {@code Cause} say why. */
  FAILED;

  /**
   * Whether this status is final: the item will not change again.
   *
   * @return {@code true} for {@link #DONE} and {@link #FAILED}
   */
  public boolean isFinal() {
    return this != STARTED;
  }
}
