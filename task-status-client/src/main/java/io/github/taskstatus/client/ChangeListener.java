package io.github.taskstatus.client;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Passes on to an {@code await} listener each item read whose status, progress percentage or
 * redrive count differs from the last one it passed on: a change the caller can show, not every
 * poll. Other attributes ({@code UpdatedAt}, a progress message alone) do not count as a change.
 * One listener serves one {@code await}, on its polling thread.
 */
final class ChangeListener implements Consumer<TaskRecord> {

  /** What a listener hears about. */
  private record Change(TaskStatus status, Optional<Integer> percent, int redriveCount) {
    static Change of(TaskRecord record) {
      return new Change(
          record.status(), record.progress().map(TaskProgress::percent), record.redriveCount());
    }
  }

  private final Consumer<TaskRecord> listener;
  private Change last;

  ChangeListener(Consumer<TaskRecord> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public void accept(TaskRecord record) {
    Change change = Change.of(record);
    if (!change.equals(last)) {
      last = change;
      listener.accept(record);
    }
  }
}
