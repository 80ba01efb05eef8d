package io.github.taskstatus.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.ObjIntConsumer;

/**
 * Step Functions as the API reference documents it, over the JSON 1.0 protocol ({@code
 * X-Amz-Target: AWSStepFunctions.<operation>}).
 *
 * <p>{@code RedriveExecution}: only a Standard execution that is {@code FAILED}, {@code TIMED_OUT}
 * or {@code ABORTED} and ended at most 14 days ago is redriven (its status {@code RUNNING} again,
 * its redrive count one higher); anything else is {@code ExecutionNotRedrivable}, with the reason
 * {@code DescribeExecution} gives as {@code redriveStatusReason}; an unknown ARN is {@code
 * ExecutionDoesNotExist}. A client token already used for a redrive of the execution gets that
 * redrive's answer again and redrives nothing, as AWS answers the last client tokens idempotently.
 * It can also commit a redrive and then answer 500, as any AWS call may.
 *
 * <p>{@code StopExecution}: a running execution becomes {@code ABORTED} with the error and cause
 * given (each checked against its length limit), and every task it waits for ends; an execution
 * that is no longer running is left as it is and the call succeeds, as AWS answers it; an unknown
 * ARN is {@code ExecutionDoesNotExist}. {@code StartExecution} of a registered state machine
 * records the input, which must be JSON ({@code InvalidExecutionInput}); an unknown one is {@code
 * StateMachineDoesNotExist}.
 *
 * <p>The task token calls ({@code SendTaskHeartbeat}, {@code SendTaskSuccess}, {@code
 * SendTaskFailure}) on tasks registered with {@link #task(String, String)}: a token that is no
 * token (not 1 to 1024 characters of base64) is {@code InvalidToken}, an unknown one {@code
 * TaskDoesNotExist}, and one whose task no longer waits (answered, timed out, or its execution
 * stopped) {@code TaskTimedOut}, as the API reference describes each; a success's output must be
 * JSON of at most 256 KiB ({@code InvalidOutput}), a failure's error at most 256 and its cause
 * 32768 characters.
 */
final class FakeStepFunctions {
  private static final Set<String> REDRIVABLE = Set.of("FAILED", "TIMED_OUT", "ABORTED");
  private static final Duration REDRIVABLE_PERIOD = Duration.ofDays(14);

  /** One execution: its status, when it stopped, how often it was redriven, and when. */
  private static final class Execution {
    String status;
    Instant stopDate;
    int redriveCount;
    final Map<String, Instant> redrivesByToken = new HashMap<>();
  }

  /** A task waiting for its token: the execution it belongs to, and whether it still waits. */
  private static final class Task {
    final String executionArn;
    boolean waiting = true;
    int heartbeats;

    Task(String executionArn) {
      this.executionArn = executionArn;
    }
  }

  /** A call that answered a task: its operation, token, output or error and cause. */
  record Answer(String operation, String token, String output, String error, String cause) {}

  /** A StopExecution that stopped a running execution. */
  record Stop(String executionArn, String error, String cause) {}

  /** A StartExecution: the state machine and the input. */
  record Start(String stateMachineArn, String input) {}

  private final Map<String, Task> tasks = new HashMap<>();
  private final Set<String> stateMachines = new HashSet<>();
  private final List<Answer> answers = new ArrayList<>();
  private final List<Stop> stops = new ArrayList<>();
  private final List<Start> starts = new ArrayList<>();
  private final Map<String, Execution> executions = new HashMap<>();
  private final List<String> redriven = new ArrayList<>();
  private Instant now = Instant.now();
  private int failuresAfterCommit;
  private ObjIntConsumer<String> onRedrive = (arn, count) -> {};

  /** Adds an execution, not yet redriven. */
  synchronized FakeStepFunctions execution(String arn, String status, Instant stopDate) {
    return execution(arn, status, stopDate, 0);
  }

  /** Adds an execution that was redriven {@code redriveCount} times already. */
  synchronized FakeStepFunctions execution(
      String arn, String status, Instant stopDate, int redriveCount) {
    Execution execution = new Execution();
    execution.status = status;
    execution.stopDate = stopDate;
    execution.redriveCount = redriveCount;
    executions.put(arn, execution);
    return this;
  }

  /** Adds a task of the execution, waiting for its token. */
  synchronized FakeStepFunctions task(String token, String executionArn) {
    tasks.put(token, new Task(executionArn));
    return this;
  }

  /** The task's heartbeat (or task) timeout passed: it waits no more. */
  synchronized FakeStepFunctions timeOut(String token) {
    tasks.get(token).waiting = false;
    return this;
  }

  /** Whether the task still waits for its token. */
  synchronized boolean waiting(String token) {
    return tasks.get(token).waiting;
  }

  /** How many heartbeats the task received while it waited. */
  synchronized int heartbeats(String token) {
    return tasks.get(token).heartbeats;
  }

  /** Registers a state machine that StartExecution starts. */
  synchronized FakeStepFunctions stateMachine(String arn) {
    stateMachines.add(arn);
    return this;
  }

  /** The answers to tasks so far, in order. */
  synchronized List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** The executions stopped so far, in order. */
  synchronized List<Stop> stops() {
    return List.copyOf(stops);
  }

  /** The executions started so far, in order. */
  synchronized List<Start> starts() {
    return List.copyOf(starts);
  }

  /** The service's clock, for the 14 days. */
  synchronized FakeStepFunctions now(Instant now) {
    this.now = now;
    return this;
  }

  /** Answers the next {@code count} redrives with a 500 after committing them. */
  synchronized FakeStepFunctions failAfterCommit(int count) {
    this.failuresAfterCommit = count;
    return this;
  }

  /** Runs after each redrive commits, with the execution and its new redrive count. */
  synchronized FakeStepFunctions onRedrive(ObjIntConsumer<String> onRedrive) {
    this.onRedrive = onRedrive;
    return this;
  }

  /** The execution's status now. */
  synchronized String status(String arn) {
    return executions.get(arn).status;
  }

  /** How often the execution was redriven. */
  synchronized int redriveCount(String arn) {
    return executions.get(arn).redriveCount;
  }

  /** The executions redriven so far, once per redrive, in order. */
  synchronized List<String> redriven() {
    return List.copyOf(redriven);
  }

  synchronized FakeAws.Reply handle(String operation, JsonNode request) {
    return switch (operation) {
      case "RedriveExecution" -> redrive(request);
      case "StopExecution" -> stop(request);
      case "StartExecution" -> start(request);
      case "SendTaskHeartbeat", "SendTaskSuccess", "SendTaskFailure" -> answer(operation, request);
      default -> error("UnknownOperationException", "not served here: " + operation);
    };
  }

  private FakeAws.Reply stop(JsonNode request) {
    String arn = request.path("executionArn").asText(null);
    String stopError = request.path("error").asText(null);
    String cause = request.path("cause").asText(null);
    FakeAws.Reply invalid =
        tooLong("error", stopError, 256) != null
            ? tooLong("error", stopError, 256)
            : tooLong("cause", cause, 32768);
    if (invalid != null) {
      return invalid;
    }
    Execution execution = arn == null ? null : executions.get(arn);
    if (execution == null) {
      return error("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
    }
    if (execution.status.equals("RUNNING")) {
      execution.status = "ABORTED";
      execution.stopDate = now;
      stops.add(new Stop(arn, stopError, cause));
      tasks.values().stream()
          .filter(task -> task.executionArn.equals(arn))
          .forEach(task -> task.waiting = false);
    }
    return new FakeAws.Reply(
        200,
        Map.of(),
        FakeAws.JSON
            .createObjectNode()
            .put("stopDate", epochSeconds(execution.stopDate))
            .toString());
  }

  private FakeAws.Reply start(JsonNode request) {
    String stateMachine = request.path("stateMachineArn").asText("");
    if (!stateMachines.contains(stateMachine)) {
      return error(
          "StateMachineDoesNotExist", "State Machine Does Not Exist: '" + stateMachine + "'");
    }
    String input = request.path("input").asText("{}");
    try {
      FakeAws.JSON.readTree(input);
    } catch (IOException e) {
      return error("InvalidExecutionInput", "Invalid State Machine Execution Input: not JSON");
    }
    starts.add(new Start(stateMachine, input));
    String arn =
        stateMachine.replace(":stateMachine:", ":express:")
            + ":"
            + UUID.randomUUID()
            + ":"
            + UUID.randomUUID();
    return new FakeAws.Reply(
        200,
        Map.of(),
        FakeAws.JSON
            .createObjectNode()
            .put("executionArn", arn)
            .put("startDate", epochSeconds(now))
            .toString());
  }

  private FakeAws.Reply answer(String operation, JsonNode request) {
    String token = request.path("taskToken").asText("");
    if (token.isEmpty() || token.length() > 1024) {
      return error(
          "ValidationException",
          "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member"
              + " must have length between 1 and 1024");
    }
    if (!token.matches("[A-Za-z0-9+/=]+")) {
      return error("InvalidToken", "Invalid Token: 'Invalid token'");
    }
    Task task = tasks.get(token);
    if (task == null) {
      return error("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'");
    }
    String output = request.path("output").asText(null);
    String failure = request.path("error").asText(null);
    String cause = request.path("cause").asText(null);
    FakeAws.Reply invalid =
        tooLong("output", output, 262144) != null
            ? tooLong("output", output, 262144)
            : tooLong("error", failure, 256) != null
                ? tooLong("error", failure, 256)
                : tooLong("cause", cause, 32768);
    if (invalid != null) {
      return invalid;
    }
    if (!task.waiting) {
      return error("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
    }
    if (operation.equals("SendTaskHeartbeat")) {
      task.heartbeats++;
      return new FakeAws.Reply(200, Map.of(), "{}");
    }
    if (operation.equals("SendTaskSuccess")) {
      try {
        FakeAws.JSON.readTree(output == null ? "" : output);
      } catch (IOException e) {
        return error("InvalidOutput", "Invalid Output: not JSON");
      }
      if (output == null || output.isBlank()) {
        return error("InvalidOutput", "Invalid Output: not JSON");
      }
    }
    task.waiting = false;
    answers.add(new Answer(operation, token, output, failure, cause));
    return new FakeAws.Reply(200, Map.of(), "{}");
  }

  /** A ValidationException if the value is longer than its limit, else null. */
  private static FakeAws.Reply tooLong(String member, String value, int limit) {
    if (value == null || value.length() <= limit) {
      return null;
    }
    return error(
        "ValidationException",
        "1 validation error detected: Value at '"
            + member
            + "' failed to satisfy constraint: Member must have length less than or equal to "
            + limit);
  }

  private static BigDecimal epochSeconds(Instant date) {
    return BigDecimal.valueOf(date.toEpochMilli()).movePointLeft(3);
  }

  private FakeAws.Reply redrive(JsonNode request) {
    String arn = request.path("executionArn").asText(null);
    String token = request.path("clientToken").asText(null);
    if (arn == null) {
      return error(
          "ValidationException",
          "1 validation error detected: Value null at 'executionArn' failed to satisfy"
              + " constraint: Member must not be null");
    }
    if (token != null && (token.isEmpty() || token.length() > 64)) {
      return error(
          "ValidationException",
          "1 validation error detected: Value at 'clientToken' failed to satisfy constraint:"
              + " Member must have length between 1 and 64");
    }
    Execution execution = executions.get(arn);
    if (execution == null) {
      return error("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
    }
    Instant earlier = token == null ? null : execution.redrivesByToken.get(token);
    if (earlier != null) {
      return redriveDate(earlier);
    }
    if (!REDRIVABLE.contains(execution.status)) {
      return error(
          "ExecutionNotRedrivable",
          "Execution is " + execution.status + " and cannot be redriven.");
    }
    if (execution.stopDate.plus(REDRIVABLE_PERIOD).isBefore(now)) {
      return error("ExecutionNotRedrivable", "Execution redrivable period exceeded.");
    }
    execution.status = "RUNNING";
    execution.redriveCount++;
    if (token != null) {
      execution.redrivesByToken.put(token, now);
    }
    redriven.add(arn);
    onRedrive.accept(arn, execution.redriveCount);
    if (failuresAfterCommit > 0) {
      failuresAfterCommit--;
      return new FakeAws.Reply(
          500,
          Map.of(),
          FakeAws.JSON
              .createObjectNode()
              .put("__type", "com.amazonaws.swf.service.v2.model#InternalServerError")
              .put("message", "Internal server error")
              .toString());
    }
    return redriveDate(now);
  }

  /** The answer: the redrive's date, a JSON 1.0 timestamp (epoch seconds). */
  private static FakeAws.Reply redriveDate(Instant date) {
    BigDecimal seconds = BigDecimal.valueOf(date.toEpochMilli()).movePointLeft(3);
    return new FakeAws.Reply(
        200, Map.of(), FakeAws.JSON.createObjectNode().put("redriveDate", seconds).toString());
  }

  private static FakeAws.Reply error(String type, String message) {
    return new FakeAws.Reply(
        400,
        Map.of(),
        FakeAws.JSON
            .createObjectNode()
            .put("__type", "com.amazonaws.swf.service.v2.model#" + type)
            .put("message", message)
            .toString());
  }
}
