// Makes aws-local-stepfunctions' States.MathAdd behave as the Step Functions documentation
// says the service does: "If you specify a non-integer value for one or both the arguments,
// Step Functions will round it off to the nearest integer" (rounding half up, as Java's
// Math.round does, which JavaScript's Math.round matches). The package adds the numbers as they
// are. Run by 'npm ci' (postinstall); cloud.mjs checks that the patch is in place.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const build = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules',
  'aws-local-stepfunctions');
const ORIGINAL = 'execute(num1, num2) {\n    return num1 + num2;\n  }';
const PATCHED = 'execute(num1, num2) {\n    return Math.round(num1) + Math.round(num2);\n  }';

for (const file of ['main.node.esm.js', 'main.node.cjs', 'main.browser.esm.js']) {
  const target = path.join(build, 'build', file);
  const source = readFileSync(target, 'utf8');
  if (source.includes(PATCHED)) continue;
  if (!source.includes(ORIGINAL)) {
    throw new Error(`States.MathAdd not found in ${target}: update patches/states-math-add.mjs for this version`);
  }
  writeFileSync(target, source.replace(ORIGINAL, PATCHED));
}
