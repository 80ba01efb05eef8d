// Task tokens of the callback pattern (Step Functions developer guide, "Wait for a Callback with
// Task Token"): a Task state whose Resource ends in .waitForTaskToken passes $$.Task.Token to a
// worker and pauses until the token comes back with SendTaskSuccess or SendTaskFailure; a worker
// keeps it alive with SendTaskHeartbeat when the state has HeartbeatSeconds.
//
// A token is opaque to its holder. Here it is the base64 of which execution and state it belongs
// to and a nonce: a new one for each entry of the state, a retry included ("Task tokens are
// generated ... in the context object when a workflow enters a task state", API reference,
// SendTaskSuccess). Errors, as the API reference lists them for SendTaskSuccess, SendTaskFailure
// and SendTaskHeartbeat:
// - InvalidToken, "The provided token is not valid": not a token this service could have made;
// - TaskDoesNotExist: a well-formed token of no task this cloud ever opened;
// - TaskTimedOut, "The task token has either expired or the task associated with the token has
//   already been closed": answered already, timed out (task or heartbeat), or its execution
//   stopped, timed out or ended; AWS answers it "Task Timed Out: 'Provided task does not exist
//   anymore'".
// - ValidationException for a request outside the API's length constraints (taskToken 1-2048,
//   output 262,144 bytes of UTF-8, error 256, cause 32,768 characters), as AWS answers those
//   ("1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have
//   length less than or equal to 32768"); InvalidOutput, "The provided JSON output data is not
//   valid", for output that is not JSON.
import { randomUUID } from 'node:crypto';
import { AwsError } from './auth.mjs';

const MAX_TOKEN_LENGTH = 2048;
const MAX_OUTPUT_BYTES = 262_144;
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;
/** The most setTimeout holds (24.8 days); a longer heartbeat never runs out in a local test. */
const MAX_TIMER_MS = 2_147_483_647;

const tooLong = (field, max) => new AwsError('ValidationException',
  `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);

/** The error a task fails with when no heartbeat came in time; no Cause, as AWS records it. */
function heartbeatTimeout() {
  const error = new Error('States.HeartbeatTimeout');
  error.name = 'States.HeartbeatTimeout';
  error.hasCause = false;
  return error;
}

/**
 * SendTaskFailure's error and cause as the task's error: a Catch or Retry matches its name and
 * sees the cause. Both are optional in the API; AWS documents no default, so a missing error is the
 * empty name (only States.ALL and States.TaskFailed match it) and a missing cause no Cause.
 */
function workerFailure(error = '', cause) {
  const failure = new Error(cause ?? '');
  failure.name = error;
  failure.hasCause = cause !== undefined;
  return failure;
}

export class TaskTokens {
  constructor() {
    /** token -> { token, executionArn, stateMachineArn, state, since, lastHeartbeat, heartbeatMs, status, closedAt } */
    this.tasks = new Map();
  }

  /** A new token for one entry of a Task state of an execution. */
  static mint(executionArn, state) {
    return Buffer.from(JSON.stringify({ v: 1, execution: executionArn, state, nonce: randomUUID() }), 'utf8').toString('base64');
  }

  /**
   * What a token names, for authorization (the state machine it belongs to) before the call runs:
   * ValidationException or InvalidToken if it cannot be one.
   */
  static parse(token) {
    if (typeof token !== 'string' || token.length === 0) {
      throw new AwsError('ValidationException', "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null");
    }
    if (token.length > MAX_TOKEN_LENGTH) throw tooLong('taskToken', MAX_TOKEN_LENGTH);
    let claims;
    try {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw new Error('not base64');
      claims = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    } catch {
      claims = undefined;
    }
    const execution = /^arn:aws:states:[^:]+:\d{12}:(execution|express):([^:]+):/.exec(claims?.execution ?? '');
    if (claims?.v !== 1 || !execution || typeof claims.state !== 'string' || typeof claims.nonce !== 'string') {
      throw new AwsError('InvalidToken', 'Invalid Token: \'Invalid token\'');
    }
    const [region, account] = claims.execution.split(':').slice(3, 5);
    return { executionArn: claims.execution, state: claims.state,
      stateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:${execution[2]}` };
  }

  /**
   * Opens a task that waits for its token: its result is the output of SendTaskSuccess, or the
   * error of SendTaskFailure or of a missed heartbeat. The token closes when the task ends any
   * other way (the signal: task timeout, execution stopped or timed out, a failed Parallel branch).
   *
   * @param {{ token: string, heartbeatMs?: number, signal: AbortSignal }} task
   * @returns {Promise<object>} the task's result
   */
  open({ token, heartbeatMs, signal }) {
    const { executionArn, stateMachineArn, state } = TaskTokens.parse(token);
    const { promise, resolve, reject } = Promise.withResolvers();
    // The interpreter may have stopped listening (a task timeout); nothing is lost.
    promise.catch(() => {});
    const task = { token, executionArn, stateMachineArn, state, since: Date.now(), lastHeartbeat: undefined, heartbeatMs, status: 'OPEN', closedAt: undefined };
    const settle = (status, outcome) => {
      if (task.status !== 'OPEN') return;
      clearTimeout(task.timer);
      Object.assign(task, { status, closedAt: Date.now() });
      outcome();
    };
    task.succeed = (output) => settle('SUCCEEDED', () => resolve(output));
    task.fail = (error) => settle('FAILED', () => reject(error));
    task.end = (status) => settle(status, () => reject(new Error(`the task ended without an answer (${status})`)));
    // HeartbeatSeconds: each heartbeat restarts the clock; when it runs out, the task fails
    // (API reference, SendTaskHeartbeat: "This action resets the Heartbeat clock").
    task.restartHeartbeat = () => {
      if (heartbeatMs === undefined || heartbeatMs > MAX_TIMER_MS) return;
      clearTimeout(task.timer);
      task.timer = setTimeout(() => settle('HEARTBEAT_TIMED_OUT', () => reject(heartbeatTimeout())), heartbeatMs);
    };
    task.restartHeartbeat();
    this.tasks.set(token, task);
    if (signal.aborted) task.end('CLOSED');
    else signal.addEventListener('abort', () => task.end('CLOSED'), { once: true });
    return promise;
  }

  /** Closes every open token of an execution: it was stopped, or its run ended. */
  closeExecution(executionArn, status) {
    for (const task of this.tasks.values()) {
      if (task.executionArn === executionArn) task.end(status);
    }
  }

  /** The open task of a token, or the error the API answers. */
  task(token) {
    TaskTokens.parse(token);
    const task = this.tasks.get(token);
    if (!task) throw new AwsError('TaskDoesNotExist', 'Task Does Not Exist: \'Provided task does not exist\'');
    if (task.status !== 'OPEN') throw new AwsError('TaskTimedOut', 'Task Timed Out: \'Provided task does not exist anymore\'');
    return task;
  }

  /** SendTaskSuccess: the output becomes the task's result. */
  sendTaskSuccess({ taskToken, output }) {
    if (typeof output !== 'string') {
      throw new AwsError('ValidationException', "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null");
    }
    if (Buffer.byteLength(output, 'utf8') > MAX_OUTPUT_BYTES) throw tooLong('output', MAX_OUTPUT_BYTES);
    let result;
    try {
      result = JSON.parse(output);
    } catch (error) {
      throw new AwsError('InvalidOutput', `Invalid Output: '${error.message}'`);
    }
    this.task(taskToken).succeed(result);
    return {};
  }

  /** SendTaskFailure: the task fails with this error and cause. */
  sendTaskFailure({ taskToken, error, cause }) {
    if (error !== undefined && String(error).length > MAX_ERROR_LENGTH) throw tooLong('error', MAX_ERROR_LENGTH);
    if (cause !== undefined && String(cause).length > MAX_CAUSE_LENGTH) throw tooLong('cause', MAX_CAUSE_LENGTH);
    this.task(taskToken).fail(workerFailure(error, cause));
    return {};
  }

  /** SendTaskHeartbeat: restarts the heartbeat clock. */
  sendTaskHeartbeat({ taskToken }) {
    const task = this.task(taskToken);
    task.lastHeartbeat = Date.now();
    task.restartHeartbeat();
    return {};
  }

  /** Every token, open or closed, for /_local/tokens. */
  list() {
    return [...this.tasks.values()].map(({ token, executionArn, stateMachineArn, state, since, lastHeartbeat, heartbeatMs, status, closedAt }) => ({
      token, executionArn, stateMachineArn, state, status, heartbeatMs: heartbeatMs ?? null,
      since: new Date(since).toISOString(), lastHeartbeat: lastHeartbeat ? new Date(lastHeartbeat).toISOString() : null,
      closedAt: closedAt ? new Date(closedAt).toISOString() : null,
    }));
  }
}
