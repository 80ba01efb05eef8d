package io.github.taskstatus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Wait;
import software.amazon.awscdk.services.stepfunctions.WaitTime;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The chaos run (issue 19): tasks started through the local cloud, direct and through the queue, on
 * a Standard and an Express workflow, while the cloud misbehaves as AWS documents it may (lost and
 * late status events, Express executions run twice, throttled starts and DynamoDB calls, writes
 * that commit and then answer 500); some executions are stopped, some time out, some fail, and
 * failed Standard ones are redriven; then, once the sweeper has had its time, every start the
 * starter acknowledged is checked against what its execution really did.
 *
 * <p>As a program ({@code benchmarks/chaos.sh}): {@code ChaosRun [--tasks N] [--seed S]
 * [--no-baseline]}; progress on standard error, the figures on standard output: the same run
 * without the sweeper first (the baseline: what lost events leave {@code STARTED}), then as the
 * last line exactly {@code tasks=N acknowledged=A items=I done=D failed=F stuck=S wrong=W lost=L
 * seconds=T}; exit status 0 only if every task was acknowledged and nothing is stuck, wrong or
 * lost.
 */
final class ChaosRun {
  /** Every fault of the local cloud, at these rates (chaos.mjs). */
  static final String CHAOS =
      "dropEvents=0.2,lateEvents=0.2,lateMs=2000,expressReruns=0.1,throttleStart=0.05,"
          + "throttleDynamo=0.05,commitThen500=0.05";

  /** The executions' timeout: the slow tasks' work outlasts it. */
  static final int TIMEOUT_SECONDS = 10;

  /** How the sweeper gets its time: every 1.5 s, with a deadline grace of 1 s. */
  private static final String[] SWEEPER = {
    "--schedule-ms",
    "TasksSweepSchedule=1500",
    "--function-env",
    "TasksStarter:DEADLINE_GRACE_SECONDS=1"
  };

  /** How long the whole run may wait for the table to settle after the last redrive. */
  private static final Duration SETTLE = Duration.ofSeconds(90);

  private ChaosRun() {}

  /** What a task's work does, from the suffix of its id. */
  enum Kind {
    /** Works briefly (Cook, 300 ms here) and succeeds. */
    PLAIN,
    /** Fails at once (a Fail state, caught by the workflow: FAILED, OvenOnFire). */
    FAIL,
    /** Works past the timeout (Linger): TIMED_OUT, which no state of the execution records. */
    SLOW,
    /** Works for 4 s (Hold), and is stopped while it does (Standard only): ABORTED. */
    STOP;

    String suffix() {
      return "-" + name().toLowerCase(Locale.ROOT);
    }
  }

  /** The figures of a run. */
  record Outcome(
      int tasks,
      int acknowledged,
      int items,
      int done,
      int failed,
      int stuck,
      int wrong,
      int lost,
      double seconds,
      int duplicates,
      List<String> problems) {
    String line() {
      return String.format(
          Locale.ROOT,
          "tasks=%d acknowledged=%d items=%d done=%d failed=%d stuck=%d wrong=%d lost=%d"
              + " seconds=%.0f",
          tasks,
          acknowledged,
          items,
          done,
          failed,
          stuck,
          wrong,
          lost,
          seconds);
    }

    boolean passed() {
      return acknowledged == tasks && stuck == 0 && wrong == 0 && lost == 0;
    }
  }

  static IChainable work(software.amazon.awscdk.Stack stack) {
    Wait linger =
        Wait.Builder.create(stack, "Linger")
            .time(WaitTime.duration(software.amazon.awscdk.Duration.minutes(5)))
            .build();
    Wait hold =
        Wait.Builder.create(stack, "Hold")
            .time(WaitTime.duration(software.amazon.awscdk.Duration.minutes(5)))
            .build();
    Wait cook =
        Wait.Builder.create(stack, "Cook")
            .time(WaitTime.duration(software.amazon.awscdk.Duration.minutes(5)))
            .build();
    return Choice.Builder.create(stack, "WhatKind")
        .build()
        .when(
            Condition.stringMatches("$.taskId", "*" + Kind.FAIL.suffix()), Synth.failingWork(stack))
        .when(Condition.stringMatches("$.taskId", "*" + Kind.SLOW.suffix()), linger)
        .when(Condition.stringMatches("$.taskId", "*" + Kind.STOP.suffix()), hold)
        .otherwise(cook);
  }

  static Synth stack(StateMachineType type, boolean sweeper) {
    return Synth.workflowWith(
        stack ->
            TaskStatusWorkflowProps.builder()
                .stateMachineType(type)
                .queue(true)
                .work(work(stack))
                .timeout(software.amazon.awscdk.Duration.seconds(TIMEOUT_SECONDS))
                .sweeper(sweeper));
  }

  /** One workflow on its own local cloud, and the tasks started on it. */
  static final class Side implements AutoCloseable {
    final String name;
    final boolean standard;
    final LocalCloud cloud;
    final PrintStream log;
    final Map<String, Kind> tasks = new HashMap<>();
    final Set<String> acknowledged = Collections.synchronizedSet(new HashSet<>());
    final Set<String> stopped = Collections.synchronizedSet(new HashSet<>());
    int redriven;

    final boolean sweeper;

    Side(String name, StateMachineType type, boolean sweeper, long seed, PrintStream log) {
      this.name = name;
      this.standard = type == StateMachineType.STANDARD;
      this.log = log;
      this.sweeper = sweeper;
      List<String> options = new ArrayList<>(sweeper ? List.of(SWEEPER) : List.of());
      options.addAll(
          List.of(
              "--chaos",
              "seed=" + seed + "," + CHAOS,
              "--wait-ms",
              "Cook=300",
              "--wait-ms",
              "Hold=4000",
              "--wait-ms",
              "Linger=60000",
              "--visibility-timeout-ms",
              "3000"));
      this.cloud = LocalCloud.start(stack(type, sweeper), options.toArray(String[]::new));
    }

    /** Starts the tasks: the first half by invoking the starter, the second through the queue. */
    void start(List<String> ids, ExecutorService pool) {
      int half = ids.size() / 2;
      List<CompletableFuture<Void>> invocations = new ArrayList<>();
      for (String id : ids.subList(0, half)) {
        invocations.add(
            CompletableFuture.runAsync(
                () -> {
                  LocalCloud.Invocation answer = cloud.invoke("{\"taskId\":\"" + id + "\"}");
                  if (answer.failed()) {
                    log.println(name + ": start of " + id + " refused: " + answer.output());
                  } else {
                    acknowledged.add(id);
                  }
                },
                pool));
      }
      List<String> queued = ids.subList(half, ids.size());
      String queueUrl = cloud.queueUrl("TasksQueue");
      for (int i = 0; i < queued.size(); i += 10) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (String id : queued.subList(i, Math.min(i + 10, queued.size()))) {
          entries.add(
              SendMessageBatchRequestEntry.builder()
                  .id(String.valueOf(entries.size()))
                  .messageBody("{\"taskId\":\"" + id + "\"}")
                  .build());
        }
        SendMessageBatchResponse sent =
            cloud.sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        sent.successful().forEach(s -> acknowledged.add(idOf(entries, s.id())));
        sent.failed().forEach(f -> log.println(name + ": queue refused " + f));
      }
      CompletableFuture.allOf(invocations.toArray(CompletableFuture[]::new)).join();
    }

    private static String idOf(List<SendMessageBatchRequestEntry> entries, String entryId) {
      String body = entries.get(Integer.parseInt(entryId)).messageBody();
      return body.substring("{\"taskId\":\"".length(), body.length() - 2);
    }

    /** The task's executions as the local cloud ran them, by ARN. */
    Map<String, JsonNode> executions() {
      String machine = cloud.stateMachineArn();
      Map<String, JsonNode> byArn = new HashMap<>();
      for (JsonNode execution : cloud.inspect("executions")) {
        if (execution.get("stateMachineArn").asText().equals(machine)) {
          byArn.put(execution.get("executionArn").asText(), execution);
        }
      }
      return byArn;
    }

    private static String taskIdOf(JsonNode execution) {
      return Synth.parse(execution.get("input").asText()).path("taskId").asText();
    }

    /**
     * Stops each STOP task's execution once its item is STARTED (as an operator would, from what
     * the table shows), until every one is stopped or {@code running} ends.
     */
    void stopWhileWorking(AtomicBoolean running) {
      while (running.get() || stopped.size() < count(Kind.STOP)) {
        for (JsonNode execution : executions().values()) {
          String id = taskIdOf(execution);
          String arn = execution.get("executionArn").asText();
          if (tasks.get(id) == Kind.STOP
              && !stopped.contains(id)
              && execution.get("status").asText().equals("RUNNING")
              && execution.get("transitions").toString().contains("\"Hold\"")) {
            try {
              cloud.stepFunctions.stopExecution(b -> b.executionArn(arn).cause("chaos: stopped"));
            } catch (SfnException e) {
              log.println(name + ": stop of " + id + " refused: " + e.getMessage());
            }
            stopped.add(id);
          }
        }
        if (!running.get() && executions().values().stream().noneMatch(ChaosRun::running)) {
          return;
        }
        pause(200);
      }
    }

    int count(Kind kind) {
      return (int) tasks.values().stream().filter(k -> k == kind).count();
    }

    /** Redrives every stopped and timed-out execution and every other failed one. */
    void redrive() {
      int failedSeen = 0;
      for (JsonNode execution : executions().values()) {
        String status = execution.get("status").asText();
        boolean redrive =
            status.equals("ABORTED")
                || status.equals("TIMED_OUT")
                || (status.equals("FAILED") && failedSeen++ % 2 == 0);
        if (redrive) {
          String arn = execution.get("executionArn").asText();
          try {
            cloud.stepFunctions.redriveExecution(b -> b.executionArn(arn));
            redriven++;
          } catch (SfnException e) {
            log.println(name + ": redrive of " + arn + " refused: " + e.getMessage());
          }
        }
      }
    }

    /**
     * Waits until every execution has ended and, with the sweeper, no item is STARTED, or until
     * {@code until}. Without the sweeper, it gives the events a few seconds more, then stops.
     */
    void settle(Instant until) {
      while (Instant.now().isBefore(until)) {
        boolean quiet =
            cloud.inspect("executions").findValuesAsText("status").stream()
                    .noneMatch(s -> s.equals("RUNNING") || s.equals("PENDING_REDRIVE"))
                && cloud.inspect("deliveries").findValuesAsText("status").stream()
                    .noneMatch("PENDING"::equals);
        if (quiet && stuck().isEmpty()) {
          return;
        }
        if (quiet && !sweeper) {
          pause(5000);
          return;
        }
        pause(500);
      }
    }

    private List<String> stuck() {
      List<String> stuck = new ArrayList<>();
      for (Map<String, AttributeValue> item : cloud.allItems()) {
        if (item.get("Status").s().equals("STARTED")) {
          stuck.add(item.get("taskId").s());
        }
      }
      return stuck;
    }

    /**
     * Checks every acknowledged start against its execution: figures {items, done, failed, stuck,
     * wrong, lost, duplicates, stale attempts}. A Standard start has exactly one item. An Express
     * start may have more, one per execution of the same name (Express does not enforce unique
     * names, so a redelivered message starts a second execution: README, "Workflow type"), each
     * checked against its own execution.
     */
    int[] check(List<String> problems) {
      Map<String, JsonNode> executions = executions();
      int[] figures = new int[8];
      for (String id : acknowledged) {
        List<Map<String, AttributeValue>> own = cloud.items(id);
        if (own.isEmpty()) {
          figures[LOST]++;
          problems.add(name + " " + id + ": acknowledged, no item");
          continue;
        }
        Set<String> names = new HashSet<>();
        own.forEach(item -> names.add(executionName(item.get("ExecutionArn").s())));
        if (own.size() > 1 && (standard || names.size() > 1)) {
          figures[WRONG] += own.size() - 1;
          problems.add(name + " " + id + ": " + own.size() + " items for one start: " + own);
        } else if (own.size() > 1) {
          figures[DUPLICATES] += own.size() - 1;
        }
        for (Map<String, AttributeValue> item : own) {
          figures[ITEMS]++;
          checkItem(id, item, executions.get(item.get("ExecutionArn").s()), figures, problems);
        }
      }
      return figures;
    }

    private void checkItem(
        String id,
        Map<String, AttributeValue> item,
        JsonNode execution,
        int[] figures,
        List<String> problems) {
      String status = item.get("Status").s();
      switch (status) {
        case "DONE" -> figures[DONE]++;
        case "FAILED" -> figures[FAILED]++;
        default -> {
          figures[STUCK]++;
          problems.add(name + " " + id + ": still " + status + ": " + item);
          return;
        }
      }
      String attempt = execution == null ? "?" : execution.path("redriveCount").asText("0");
      // What the execution's runs really ended in: the last one, and for an Express execution run
      // twice (at least once), the earlier one too, since a second run of a finished task leaves
      // its item alone.
      Set<String> truths = new HashSet<>();
      if (execution != null) {
        truths.add(itemStatusFor(execution.get("status").asText()));
        execution
            .path("outcomes")
            .forEach(o -> truths.add(itemStatusFor(o.get("status").asText())));
      }
      // DONE is written by RecordDone alone, once the work has finished: an execution that then
      // timed out or failed retrying that committed write leaves a true DONE.
      boolean doneAfterWork =
          status.equals("DONE")
              && execution != null
              && execution.get("transitions").toString().contains("\"RecordDone\"");
      boolean statusTrue = truths.contains(status) || doneAfterWork;
      boolean attemptTrue = item.get("RedriveCount").n().equals(attempt);
      // A redriven caught failure fails again at its Fail state without a state that writes: only
      // its status event counts the new attempt on the item, and events may be lost (README).
      boolean caughtFailureRedriven =
          status.equals("FAILED")
              && execution != null
              && execution.get("status").asText().equals("FAILED")
              && execution.get("transitions").toString().endsWith("\"TaskFailed\",\"TaskFailed\"]");
      if (statusTrue && !attemptTrue && caughtFailureRedriven) {
        figures[STALE_ATTEMPTS]++;
      } else if (!statusTrue || !attemptTrue) {
        figures[WRONG]++;
        problems.add(
            name
                + " "
                + id
                + ": "
                + status
                + " for attempt "
                + item.get("RedriveCount").n()
                + ", but its execution is "
                + (execution == null ? "unknown" : execution.get("status").asText())
                + (execution == null ? "" : " (runs " + execution.get("outcomes") + ")")
                + " after attempt "
                + attempt
                + ": "
                + item);
      }
    }

    @Override
    public void close() {
      cloud.close();
    }
  }

  private static final int ITEMS = 0;
  private static final int DONE = 1;
  private static final int FAILED = 2;
  private static final int STUCK = 3;
  private static final int WRONG = 4;
  private static final int LOST = 5;
  private static final int DUPLICATES = 6;
  private static final int STALE_ATTEMPTS = 7;

  /** The item status an execution's status calls for ("?" while it runs). */
  static String itemStatusFor(String executionStatus) {
    return switch (executionStatus) {
      case "SUCCEEDED" -> "DONE";
      case "FAILED", "TIMED_OUT", "ABORTED" -> "FAILED";
      default -> "?";
    };
  }

  /** The execution name in an ARN: Standard ...:execution:machine:name, Express ...:name:id. */
  static String executionName(String arn) {
    return arn.split(":")[7];
  }

  private static boolean running(JsonNode execution) {
    String status = execution.get("status").asText();
    return status.equals("RUNNING") || status.equals("PENDING_REDRIVE");
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The ids of a side's tasks: one of each kind first, then kinds drawn with fixed weights from a
   * seeded source.
   */
  static List<String> ids(String prefix, int count, boolean standard, Random random) {
    List<String> ids = new ArrayList<>();
    // Every kind the side has at least once, however small the run, then drawn at random.
    List<Kind> first =
        standard
            ? List.of(Kind.FAIL, Kind.SLOW, Kind.STOP, Kind.PLAIN)
            : List.of(Kind.FAIL, Kind.SLOW, Kind.PLAIN);
    for (int i = 0; i < count; i++) {
      double r = random.nextDouble();
      Kind kind =
          i < first.size()
              ? first.get(i)
              : r < 0.15
                  ? Kind.FAIL
                  : r < 0.25 ? Kind.SLOW : r < 0.40 && standard ? Kind.STOP : Kind.PLAIN;
      ids.add(String.format(Locale.ROOT, "%s%04d%s", prefix, i, kind.suffix()));
    }
    return ids;
  }

  /**
   * One run.
   *
   * @param sweeper whether the workflows sweep (false: the baseline, what lost events leave)
   */
  static Outcome run(int tasks, long seed, boolean sweeper, PrintStream log) {
    long began = System.nanoTime();
    Random random = new Random(seed);
    int standardTasks = tasks - tasks / 2;
    List<String> problems = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try (Side standard = new Side("standard", StateMachineType.STANDARD, sweeper, seed, log);
        Side express = new Side("express", StateMachineType.EXPRESS, sweeper, seed + 1, log)) {
      List<String> standardIds = ids("s", standardTasks, true, random);
      List<String> expressIds = ids("e", tasks / 2, false, random);
      standardIds.forEach(id -> standard.tasks.put(id, kindOf(id)));
      expressIds.forEach(id -> express.tasks.put(id, kindOf(id)));
      log.printf(
          Locale.ROOT,
          "chaos: %d tasks (%d Standard, %d Express; half direct, half queued), faults %s%n",
          tasks,
          standardIds.size(),
          expressIds.size(),
          CHAOS);

      AtomicBoolean starting = new AtomicBoolean(true);
      final CompletableFuture<Void> stopper =
          CompletableFuture.runAsync(() -> standard.stopWhileWorking(starting));
      CompletableFuture<Void> startedStandard =
          CompletableFuture.runAsync(() -> standard.start(standardIds, pool));
      CompletableFuture<Void> startedExpress =
          CompletableFuture.runAsync(() -> express.start(expressIds, pool));
      CompletableFuture.allOf(startedStandard, startedExpress).join();
      log.printf(
          Locale.ROOT,
          "chaos: %d starts acknowledged after %.0f s%n",
          standard.acknowledged.size() + express.acknowledged.size(),
          (System.nanoTime() - began) / 1e9);
      awaitExecutions(standard, standardIds.size() - 0, Duration.ofSeconds(120));
      starting.set(false);
      stopper.join();
      log.printf(Locale.ROOT, "chaos: %d Standard executions stopped%n", standard.stopped.size());

      standard.redrive();
      log.printf(Locale.ROOT, "chaos: %d Standard executions redriven%n", standard.redriven);

      Instant until = Instant.now().plus(SETTLE);
      CompletableFuture<Void> settledStandard =
          CompletableFuture.runAsync(() -> standard.settle(until));
      express.settle(until);
      settledStandard.join();

      int[] totals = new int[8];
      for (Side side : List.of(standard, express)) {
        int[] figures = side.check(problems);
        for (int i = 0; i < totals.length; i++) {
          totals[i] += figures[i];
        }
        JsonNode chaos = side.cloud.inspect("chaos");
        log.println(
            "chaos: "
                + side.name
                + " faults injected "
                + chaos.get("counts")
                + ", events dropped "
                + chaos.get("droppedEvents"));
      }
      log.printf(
          Locale.ROOT,
          "chaos: %d Express starts ran a second execution (a redelivered message; Express names"
              + " are not unique), each item true to its own%n",
          totals[DUPLICATES]);
      log.printf(
          Locale.ROOT,
          "chaos: %d redriven caught failures lost the event that counts their new attempt (the"
              + " item is FAILED, as its execution, for the attempt before)%n",
          totals[STALE_ATTEMPTS]);
      int acknowledged = standard.acknowledged.size() + express.acknowledged.size();
      return new Outcome(
          tasks,
          acknowledged,
          totals[ITEMS],
          totals[DONE],
          totals[FAILED],
          totals[STUCK],
          totals[WRONG],
          totals[LOST],
          (System.nanoTime() - began) / 1e9,
          totals[DUPLICATES],
          problems);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits until a side's queue has been drained into executions: one per task, or the timeout. */
  private static void awaitExecutions(Side side, int expected, Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    while (Instant.now().isBefore(until) && side.executions().size() < expected) {
      pause(200);
    }
  }

  private static Kind kindOf(String id) {
    return Kind.valueOf(id.substring(id.lastIndexOf('-') + 1).toUpperCase(Locale.ROOT));
  }

  public static void main(String[] args) {
    int tasks = 300;
    long seed = 19;
    boolean withBaseline = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--no-baseline" -> withBaseline = false;
        default -> {
          System.err.println(
              "chaos: unknown argument " + args[i] + " (--tasks N, --seed S, --no-baseline)");
          System.exit(2);
        }
      }
    }
    if (tasks < 2) {
      System.err.println("chaos: --tasks must be at least 2, got " + tasks);
      System.exit(2);
    }
    Outcome outcome = run(tasks, seed, true, System.err);
    outcome.problems().forEach(p -> System.out.println("problem: " + p));
    if (withBaseline) {
      // The same tasks and faults without the sweeper, in the same run: what it resolves.
      Outcome unswept = run(tasks, seed, false, System.err);
      unswept.problems().stream()
          .filter(p -> !p.contains(": still STARTED"))
          .forEach(p -> System.err.println("baseline problem: " + p));
      System.out.println("baseline without the sweeper: " + unswept.line());
      System.out.printf(
          Locale.ROOT,
          "sweeper resolved %d items the events left STARTED%n",
          unswept.stuck() - outcome.stuck());
    }
    System.out.println(outcome.line());
    System.exit(outcome.passed() ? 0 : 1);
  }
}
