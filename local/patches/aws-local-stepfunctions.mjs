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
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const build = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules',
  'aws-local-stepfunctions', 'build');

const PATCHES = [
  {
    original: 'execute(num1, num2) {\n    return num1 + num2;\n  }',
    patched: 'execute(num1, num2) {\n    return Math.round(num1) + Math.round(num2);\n  }',
  },
  {
    original: 'constructor(name = "FailStateError", message = "Execution failed because of a Fail state") {\n    super(message);\n    this.name = name;\n  }',
    patched: 'constructor(name = "FailStateError", message) {\n    super(message ?? "Execution failed because of a Fail state");\n    this.name = name;\n    this.hasCause = message !== void 0;\n  }',
  },
  {
    original: 'const errorOutput = {\n            Error: error.name,\n            Cause: error.message\n          };',
    patched: 'const errorOutput = {\n            Error: error.name,\n            ...error.hasCause === false ? {} : { Cause: error.message }\n          };',
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
