// Makes aws-local-stepfunctions (pinned in package-lock.json) behave as Step Functions is
// documented to, where the package differs. Run by 'npm ci' (postinstall); cloud.mjs checks at
// start-up that the patches are in place.
//
// 1. States.MathAdd: "If you specify a non-integer value for one or both the arguments, Step
//    Functions will round it off to the nearest integer" (intrinsic functions reference). The
//    package adds the numbers as they are. Java's Math.round, which the service uses, and
//    JavaScript's round half up alike.
// 2. A Fail state's Cause is optional (Amazon States Language, "Fail State"), and an error
//    without one reaches a Catch without a Cause field: the package invents the cause
//    "Execution failed because of a Fail state" and always writes Cause into the caught error.
// 3. States.MathAdd: "You must specify integer values in the range of -2147483648 and
//    2147483647" (intrinsic functions reference, input validation); the package adds any two
//    numbers. Out of range is a States.Runtime error here, as it is on AWS in a Parameters field
//    (neither Retry nor Catch sees it). A sum outside the range is refused too: Step Functions
//    adds Java ints. States.MathRandom takes its start and end from the same range.
// 4. Payloads: a state's input and output are at most 256 KiB (262,144 bytes of UTF-8; Step
//    Functions quotas, "Maximum input or output size for a task, state, or execution"); larger
//    is the terminal error States.DataLimitExceeded, which States.ALL does not catch. The package
//    has no limit. ArrayRange's 1,000 items and Hash's and Base64's 10,000 characters the
//    package already enforces.
// 5. States.JsonToString returns valid JSON, backslashes and all. The package strips every
//    backslash from every intrinsic's string result (to undo the escapes of literal arguments),
//    which turns {"a":"say \"hi\""} into the invalid {"a":"say "hi""}.
// 6. The context object's $$.Execution.Input and $$.Execution.StartTime are the execution's, as
//    the caller gives them: the package overwrote them with the run's input and the time of the
//    run, which differ for a redriven execution (the local cloud runs a redrive from the state
//    that failed, with that state's input; the execution's input and start time stay).
// 7. The callback pattern. Every entry of a Task state (a retry included) has a task token in the
//    context object, $$.Task.Token ("Task tokens are generated ... in the context object when a
//    workflow enters a task state", API reference, SendTaskSuccess): the run's
//    overrides.taskToken(stateName) makes it; the package has no Task object in its context. A
//    task's handler also gets the context, the task's timeouts and an AbortSignal that fires when
//    the task ends without it (task timeout, execution stopped or timed out, a failed Parallel
//    branch), so a waiting task can close its token.
// 8. Task timeouts. "By default, the Amazon States Language doesn't set timeouts" (developer
//    guide, "Using timeouts to avoid stuck Step Functions workflow executions"; AWS's history of
//    a task without TimeoutSeconds has no timeoutInSeconds): the package gave every Task 60 s.
//    TimeoutSecondsPath and HeartbeatSecondsPath are reference paths into the state's input (after
//    InputPath, before Parameters, as AWS records HeartbeatSecondsPath: $.HeartbeatSecondsPath
//    from an input that Parameters did not keep): the package read the Parameters' output. The
//    run's overrides.taskTimeoutOverrides and overrides.heartbeatOverrides (state -> ms) shorten
//    them for tests, as waitTimeOverrides does for Wait states. A task timeout is States.Timeout
//    without a Cause, as AWS's TaskTimedOut and ExecutionFailed events carry none.
// 9. States.HeartbeatTimeout, which a task that waits for a token raises: "States.Timeout: A Task
//    state either ran longer than the TimeoutSeconds value, or failed to send a heartbeat for a
//    period longer than the HeartbeatSeconds value" and "States.TaskFailed ... matches any known
//    error name except for States.Timeout" (developer guide, "Handling errors in Step Functions
//    workflows"): a Retry or Catch on States.Timeout matches a heartbeat timeout, and one on
//    States.TaskFailed does not.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const build = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules',
  'aws-local-stepfunctions', 'build');

const PATCHES = [
  {
    original: 'execute(num1, num2) {\n    return num1 + num2;\n  }',
    patched: 'execute(num1, num2) {\n    const int32 = (n) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;\n    const [a, b] = [Math.round(num1), Math.round(num2)];\n    if (!int32(a) || !int32(b) || !int32(a + b)) {\n      throw new StatesRuntimeError(`Intrinsic function ${this.funcDefinition.name} takes integers in the range of -2147483648 and 2147483647; got ${num1} and ${num2}`);\n    }\n    return a + b;\n  }',
  },
  {
    original: 'constructor(name = "FailStateError", message = "Execution failed because of a Fail state") {\n    super(message);\n    this.name = name;\n  }',
    patched: 'constructor(name = "FailStateError", message) {\n    super(message ?? "Execution failed because of a Fail state");\n    this.name = name;\n    this.hasCause = message !== void 0;\n  }',
  },
  {
    original: 'const errorOutput = {\n            Error: error.name,\n            Cause: error.message\n          };',
    patched: 'const errorOutput = {\n            Error: error.name,\n            ...error.hasCause === false ? {} : { Cause: error.message }\n          };',
  },
  {
    original: '  execute(min, max, seed) {\n    const [s1, ',
    patched: '  execute(min, max, seed) {\n    if (![min, max].every((n) => n >= -2147483648 && n <= 2147483647)) {\n      throw new StatesRuntimeError(`Intrinsic function ${this.funcDefinition.name} takes integers in the range of -2147483648 and 2147483647; got ${min} and ${max}`);\n    }\n    const [s1, ',
  },
  {
    original: '      const processedResult = this.processResult(currResult, rawInput, context);\n      return { stateResult: processedResult, nextState, isEndState };',
    patched: '      const processedResult = this.processResult(currResult, rawInput, context);\n      const outputBytes = new TextEncoder().encode(JSON.stringify(processedResult ?? null)).length;\n      if (outputBytes > 262144) {\n        const limit = new RuntimeError(`The state/task \'${this.stateName}\' returned a result with a size exceeding the maximum number of bytes service limit (${outputBytes} bytes; the limit is 262144).`);\n        limit.name = "States.DataLimitExceeded";\n        limit.retryable = false;\n        limit.catchable = false;\n        throw limit;\n      }\n      return { stateResult: processedResult, nextState, isEndState };',
  },
  {
    original: '    if (typeof result === "string") {\n      result = result.replaceAll("\\\\", "");',
    patched: '    if (typeof result === "string" && this.funcDefinition.name !== "States.JsonToString") {\n      result = result.replaceAll("\\\\", "");',
  },
  {
    original: '        ...options.runOptions?.context?.Execution,\n        Input: input,\n        StartTime: (/* @__PURE__ */ new Date()).toISOString()',
    patched: '        ...options.runOptions?.context?.Execution,\n        Input: options.runOptions?.context?.Execution?.Input ?? input,\n        StartTime: options.runOptions?.context?.Execution?.StartTime ?? (/* @__PURE__ */ new Date()).toISOString()',
  },
  // 7: $$.Task.Token for every entry of a Task state.
  {
    original: `    const rawInput = cloneJSON(input);
    try {
      const processedInput = this.processInput(input, context);`,
    patched: `    const rawInput = cloneJSON(input);
    if (this.stateDefinition.Type === "Task" && options.runOptions?.overrides?.taskToken) {
      context = { ...context, Task: { Token: options.runOptions.overrides.taskToken(this.stateName) } };
    }
    try {
      const processedInput = this.processInput(input, context);`,
  },
  // 7, 8: the task's input for the timeout paths, its AbortSignal and the overrides.
  {
    original: `    const overrideFn = options.runOptions?.overrides?.taskResourceLocalHandlers?.[stateName];
    const awsConfig = options.stateMachineOptions?.awsConfig;
    const taskStateAction = new TaskStateAction(stateDefinition, stateName);
    const executionResult = await taskStateAction.execute(input, context, { overrideFn, awsConfig });`,
    patched: `    const overrides = options.runOptions?.overrides;
    const overrideFn = overrides?.taskResourceLocalHandlers?.[stateName];
    const awsConfig = options.stateMachineOptions?.awsConfig;
    const taskStateAction = new TaskStateAction(stateDefinition, stateName);
    const stateInput = "InputPath" in stateDefinition ? processInputPath(stateDefinition.InputPath, rawInput, context) : rawInput;
    const executionResult = await taskStateAction.execute(input, context, {
      overrideFn, awsConfig, stateInput, abortSignal: options.abortSignal,
      timeoutOverrideMs: overrides?.taskTimeoutOverrides?.[stateName], heartbeatOverrideMs: overrides?.heartbeatOverrides?.[stateName]
    });`,
  },
  // 8: no default timeout; the timeouts' paths read the state's input.
  {
    original: `var DEFAULT_TIMEOUT_SECONDS = 60;
var TaskStateAction = class extends BaseStateAction {
  constructor(stateDefinition, stateName) {
    super(stateDefinition, stateName);
  }
  getTimeoutMs(input, context) {
    const state = this.stateDefinition;
    let timeout = DEFAULT_TIMEOUT_SECONDS;
    if (state.TimeoutSeconds) {
      timeout = state.TimeoutSeconds;
    } else if (state.TimeoutSecondsPath) {
      timeout = jsonPathQuery(state.TimeoutSecondsPath, input, context, {
        constraints: [IntegerConstraint.greaterThanOrEqual(1)]
      });
    }
    return timeout * 1e3;
  }`,
    patched: `var TaskStateAction = class extends BaseStateAction {
  constructor(stateDefinition, stateName) {
    super(stateDefinition, stateName);
  }
  secondsMs(seconds, secondsPath, stateInput, context) {
    if (seconds !== void 0) return seconds * 1e3;
    if (secondsPath === void 0) return void 0;
    return jsonPathQuery(secondsPath, stateInput, context, {
      constraints: [IntegerConstraint.greaterThanOrEqual(1)]
    }) * 1e3;
  }`,
  },
  // 7, 8: the handler gets the context, the timeouts and a signal of the task's end.
  {
    original: `  async execute(input, context, options) {
    const state = this.stateDefinition;
    const taskPromise = options.overrideFn ? (
      // If local override for task resource is defined, use that
      options.overrideFn(input)
    ) : (`,
    patched: `  async execute(input, context, options) {
    const state = this.stateDefinition;
    const stateInput = options.stateInput ?? input;
    const timeoutMs = options.timeoutOverrideMs ?? this.secondsMs(state.TimeoutSeconds, state.TimeoutSecondsPath, stateInput, context);
    const heartbeatMs = options.heartbeatOverrideMs ?? this.secondsMs(state.HeartbeatSeconds, state.HeartbeatSecondsPath, stateInput, context);
    const ended = new AbortController();
    const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, ended.signal]) : ended.signal;
    const taskPromise = options.overrideFn ? (
      // If local override for task resource is defined, use that
      options.overrideFn(input, { context, signal, timeoutMs, heartbeatMs })
    ) : (`,
  },
  // 8: the timeout only when there is one (setTimeout holds 2^31-1 ms, 24.8 days, at most).
  {
    original: `    const timeoutMs = this.getTimeoutMs(input, context);
    const { promise: timeoutPromise, reject: rejectTimeout } = Promise.withResolvers();
    const timeoutId = setTimeout(() => rejectTimeout(new StatesTimeoutError()), timeoutMs);
    try {
      const result = await Promise.race([taskPromise, timeoutPromise]);
      return this.buildExecutionResult(result);
    } finally {
      clearTimeout(timeoutId);
    }`,
    patched: `    const { promise: timeoutPromise, reject: rejectTimeout } = Promise.withResolvers();
    const timeoutId = timeoutMs !== void 0 && timeoutMs <= 2147483647 ? setTimeout(() => rejectTimeout(new StatesTimeoutError()), timeoutMs) : void 0;
    try {
      const result = await Promise.race([taskPromise, timeoutPromise]);
      return this.buildExecutionResult(result);
    } finally {
      clearTimeout(timeoutId);
      ended.abort();
    }`,
  },
  // 8: a task timeout has no Cause.
  {
    original: `    super("States.Timeout");
    this.name = "States.Timeout";
  }`,
    patched: `    super("States.Timeout");
    this.name = "States.Timeout";
    this.hasCause = false;
  }`,
  },
  // 9: Retry on States.Timeout.
  {
    original: `const isErrorMatch = retrierError === error.name;`,
    patched: `const isErrorMatch = retrierError === error.name || retrierError === "States.Timeout" && error.name === "States.HeartbeatTimeout";`,
  },
  // 9: Retry on States.TaskFailed.
  {
    original: `const isErrorTaskWildcard = retrierError === TASK_STATE_WILDCARD_ERROR && this.stateDefinition.Type === "Task" && !(error instanceof StatesTimeoutError);`,
    patched: `const isErrorTaskWildcard = retrierError === TASK_STATE_WILDCARD_ERROR && this.stateDefinition.Type === "Task" && !(error instanceof StatesTimeoutError) && error.name !== "States.HeartbeatTimeout";`,
  },
  // 9: Catch on States.Timeout.
  {
    original: `const isErrorMatch = catcherError === error.name;`,
    patched: `const isErrorMatch = catcherError === error.name || catcherError === "States.Timeout" && error.name === "States.HeartbeatTimeout";`,
  },
  // 9: Catch on States.TaskFailed.
  {
    original: `const isErrorTaskWildcard = catcherError === TASK_STATE_WILDCARD_ERROR && this.stateDefinition.Type === "Task" && !(error instanceof StatesTimeoutError);`,
    patched: `const isErrorTaskWildcard = catcherError === TASK_STATE_WILDCARD_ERROR && this.stateDefinition.Type === "Task" && !(error instanceof StatesTimeoutError) && error.name !== "States.HeartbeatTimeout";`,
  },
];

for (const file of ['main.node.esm.js', 'main.node.cjs', 'main.browser.esm.js']) {
  const target = path.join(build, file);
  let source = readFileSync(target, 'utf8');
  for (const { original, patched } of PATCHES) {
    if (source.includes(patched)) continue;
    if (!source.includes(original)) {
      throw new Error(`cannot patch ${target}: update patches/aws-local-stepfunctions.mjs for this version`);
    }
    source = source.replace(original, patched);
  }
  writeFileSync(target, source);
}
