package io.github.taskstatus.client;

import static io.github.taskstatus.client.Items.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@code await} with a listener: each item read whose status, progress percentage or redrive count
 * differs from the last one the listener got, in order, the final one included, on the caller's
 * thread.
 */
class AwaitListenerTest extends ClientTest {
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private static final String NAME = "Breakfast-3c33";
  private static final String TIMESTAMP = "1795617300.5";

  @Override
  void prepare(FakeAws fakes) {
    fakes.starter(
        payload ->
            FakeAws.started(
                "{\"taskId\":\"Breakfast\",\"timestamp\":"
                    + TIMESTAMP
                    + ",\"executionArn\":\""
                    + Items.ARN_PREFIX
                    + NAME
                    + "\",\"duplicate\":false}"));
    fakes
        .stepFunctions()
        .now(NOW)
        .execution(Items.ARN_PREFIX + NAME, "FAILED", Instant.parse("2026-11-25T14:50:01Z"));
  }

  @Override
  TaskStatusClient.Builder configure(TaskStatusClient.Builder builder) {
    return builder.clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  /** The item as attempt {@code attempt} leaves it, with the progress given (null: none). */
  private static ObjectNode written(String status, int attempt, String percent, String message) {
    ObjectNode item =
        Items.attempt(
            item("Breakfast", TIMESTAMP, status, "2026-11-26T10:00:00.000Z", NAME), attempt);
    return percent == null
        ? item
        : Items.progress(item, percent, message, "2026-11-26T10:00:00.500Z");
  }

  /** The item each read of the await sees, the first read's first (the item stays after). */
  private void readsSee(List<ObjectNode> items) {
    int before = aws.requests("Query").size();
    aws.dynamoDb()
        .onQuery(
            count -> {
              int read = count - before;
              aws.dynamoDb().put(items.get(Math.min(read, items.size()) - 1));
            });
  }

  private static List<Object> seen(List<TaskRecord> records) {
    return records.stream()
        .map(
            r ->
                tuple(
                    r.status(),
                    r.progress().map(TaskProgress::percent).orElse(null),
                    r.redriveCount()))
        .map(Object.class::cast)
        .toList();
  }

  @Test
  void theListenerGetsEachChangeOfStatusOrProgressOnceInOrderTheFinalOneIncluded() {
    readsSee(
        List.of(
            written("STARTED", 0, null, null),
            written("STARTED", 0, null, null),
            written("STARTED", 0, "10", "cracking"),
            written("STARTED", 0, "10", "still cracking"),
            written("STARTED", 0, "60", "whisking"),
            written("STARTED", 0, "60", "whisking"),
            written("DONE", 0, "60", "whisking")));
    List<TaskRecord> heard = new ArrayList<>();

    TaskRecord done = client.await("Breakfast", Duration.ofSeconds(5), heard::add);

    assertThat(seen(heard))
        .containsExactly(
            tuple(TaskStatus.STARTED, null, 0),
            tuple(TaskStatus.STARTED, 10, 0),
            tuple(TaskStatus.STARTED, 60, 0),
            tuple(TaskStatus.DONE, 60, 0));
    assertThat(heard.get(1).progress().orElseThrow().message()).contains("cracking");
    assertThat(heard.get(heard.size() - 1)).isEqualTo(done);
    assertThat(aws.requests("Query")).hasSize(7);
  }

  @Test
  void aStartsListenerHearsOfItsItemOnlyOnTheCallersThread() {
    TaskStart start = client.start("Breakfast");
    readsSee(
        List.of(
            written("STARTED", 0, null, null),
            written("STARTED", 0, "100", null),
            written("CANCELLED", 0, "100", null)));
    List<Thread> threads = new CopyOnWriteArrayList<>();
    List<TaskRecord> heard = new ArrayList<>();

    TaskRecord end =
        client.await(
            start,
            Duration.ofSeconds(5),
            record -> {
              threads.add(Thread.currentThread());
              heard.add(record);
            });

    assertThat(end.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(seen(heard))
        .containsExactly(
            tuple(TaskStatus.STARTED, null, 0),
            tuple(TaskStatus.STARTED, 100, 0),
            tuple(TaskStatus.CANCELLED, 100, 0));
    assertThat(threads).containsOnly(Thread.currentThread());
  }

  @Test
  void aRedrivesListenerHearsOfTheEarlierFailureThenOfTheRedrivenAttempts() {
    aws.dynamoDb().put(written("FAILED", 0, "40", null));
    TaskStart redrive = client.redrive("Breakfast");
    readsSee(
        List.of(
            written("FAILED", 0, "40", null),
            written("FAILED", 0, "40", null),
            written("FAILED", 1, "40", null)));
    List<TaskRecord> heard = new ArrayList<>();

    TaskRecord end = client.await(redrive, Duration.ofSeconds(5), heard::add);

    // The redriven attempt failed again without reopening the item: only its count changed.
    assertThat(seen(heard))
        .containsExactly(tuple(TaskStatus.FAILED, 40, 0), tuple(TaskStatus.FAILED, 40, 1));
    assertThat(end.redriveCount()).isEqualTo(1);
  }

  @Test
  void aRedrivesListenerHearsOfTheReopenedItemToo() {
    aws.dynamoDb().put(written("FAILED", 0, "40", null));
    TaskStart redrive = client.redrive("Breakfast");
    readsSee(
        List.of(
            written("FAILED", 0, "40", null),
            written("STARTED", 1, "40", null),
            written("STARTED", 1, "70", null),
            written("DONE", 1, "70", null)));
    List<TaskRecord> heard = new ArrayList<>();

    client.await(redrive, Duration.ofSeconds(5), heard::add);

    assertThat(seen(heard))
        .containsExactly(
            tuple(TaskStatus.FAILED, 40, 0),
            tuple(TaskStatus.STARTED, 40, 1),
            tuple(TaskStatus.STARTED, 70, 1),
            tuple(TaskStatus.DONE, 70, 1));
  }

  @Test
  void theListenersExceptionEndsTheAwait() {
    readsSee(List.of(written("STARTED", 0, null, null), written("STARTED", 0, "10", null)));
    List<TaskRecord> heard = new ArrayList<>();
    Consumer<TaskRecord> failing =
        record -> {
          heard.add(record);
          if (record.progress().isPresent()) {
            throw new IllegalStateException("the progress bar broke");
          }
        };

    assertThatThrownBy(() -> client.await("Breakfast", Duration.ofSeconds(5), failing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the progress bar broke");
    assertThat(heard).hasSize(2);
    assertThat(aws.requests("Query")).hasSize(2);
  }

  @Test
  void aTimeoutComesAfterTheChangesSeen() {
    readsSee(List.of(written("STARTED", 0, null, null), written("STARTED", 0, "30", null)));
    List<TaskRecord> heard = new ArrayList<>();

    assertThatThrownBy(() -> client.await("Breakfast", Duration.ofMillis(100), heard::add))
        .isInstanceOfSatisfying(
            TaskAwaitTimeoutException.class,
            e -> assertThat(e.lastRecord()).flatMap(TaskRecord::progress).isPresent());
    assertThat(seen(heard))
        .containsExactly(tuple(TaskStatus.STARTED, null, 0), tuple(TaskStatus.STARTED, 30, 0));
  }

  @Test
  void aMissingListenerIsRefusedBeforeAnyRead() {
    TaskStart start = client.start("Breakfast");

    assertThatThrownBy(() -> client.await("Breakfast", Duration.ZERO, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("onChange must not be null");
    assertThatThrownBy(() -> client.await(start, Duration.ZERO, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("onChange must not be null");
    assertThat(aws.requests("Query")).isEmpty();
  }
}
