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
