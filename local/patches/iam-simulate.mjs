// Makes @cloud-copilot/iam-simulate (pinned in package-lock.json) evaluate what AWS evaluates,
// where the package differs. Run by 'npm ci' (postinstall); iam.mjs checks at start-up that the
// patch is in place.
//
// 1. Encryption context condition keys: AWS KMS puts each pair of a request's encryption context
//    in the request context as kms:EncryptionContext:<key> (KMS developer guide, "Condition keys
//    for AWS KMS", kms:EncryptionContext:context-key), and key policies rely on it (CloudWatch
//    Logs' aws:logs:arn, SQS's aws:sqs:arn, DynamoDB's aws:dynamodb:tableName). The package
//    matches variable context keys by a '/' only (aws:PrincipalTag/<key>), so it drops these from
//    the request, and a condition on them never matches: every such key policy statement would
//    deny. The patch keeps them, as strings.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'node_modules',
  '@cloud-copilot', 'iam-simulate', 'dist');

const PATCHES = [
  {
    original: '        const lowerCaseKey = key.toLowerCase();\n        if (contextVariablesForAction.has(lowerCaseKey) ||',
    patched: '        const lowerCaseKey = key.toLowerCase();\n        if (lowerCaseKey.startsWith(\'kms:encryptioncontext:\') && contextVariablesForAction.has(\'kms:encryptioncontext:${encryptioncontextkey}\')) {\n            validContextValues[key] = [value].flat()[0];\n            continue;\n        }\n        if (contextVariablesForAction.has(lowerCaseKey) ||',
  },
];

for (const flavour of ['esm', 'cjs']) {
  const target = path.join(dist, flavour, 'simulation_engine', 'simulationEngine.js');
  let source = readFileSync(target, 'utf8');
  for (const { original, patched } of PATCHES) {
    if (source.includes(patched)) continue;
    if (!source.includes(original)) {
      throw new Error(`cannot patch ${target}: update patches/iam-simulate.mjs for this version`);
    }
    source = source.replace(original, patched);
  }
  writeFileSync(target, source);
}
