// The local demo behind examples/run-local.sh: deploys the synthesized example app to the local
// cloud (cloud.mjs), starts every task id given at once through the starter, exactly as a
// caller would (Lambda Invoke on the starter's alias), prints each item's status changes and
// ends with one summary line:
//   tasks=3 done=3 failed=0 stuck=0
//   node run-local.mjs --assembly <cdk.out> --stack <stack name> --task <id> [--task <id>]...
//     [--timeout <seconds>]
// Exits 0 when every start ended DONE, 1 otherwise.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startLocalCloud } from './cloud.mjs';

const POLL_MS = 100;

function parseArgs(argv) {
  const options = { tasks: [], timeout: 300 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--task') options.tasks.push(value);
    else if (['--assembly', '--stack', '--timeout'].includes(flag)) options[flag.slice(2)] = value;
    else throw new Error(`unknown option ${flag}`);
  }
  for (const required of ['assembly', 'stack']) {
    if (!options[required]) throw new Error(`--${required} is required`);
  }
  if (options.tasks.length === 0) throw new Error('give at least one --task');
  return options;
}

const time = () => new Date().toISOString().slice(11, 23);

/** A task id as one short quoted token, whatever it holds (empty, long, control characters). */
const shown = (taskId) => JSON.stringify(taskId.length > 40 ? `${taskId.slice(0, 40)}…` : taskId);

/** A function error as one line, `ErrorType: message`, without the stack trace Lambda adds. */
function starterError(payload) {
  try {
    const { errorType, errorMessage } = JSON.parse(payload);
    return [errorType, errorMessage].filter(Boolean).join(': ').replace(/\s*\n\s*/g, ' ');
  } catch {
    return String(payload).replace(/\s*\n\s*/g, ' ');
  }
}

const say = (message) => process.stdout.write(`${time()}  ${message}\n`);

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const template = JSON.parse(readFileSync(path.join(options.assembly, `${options.stack}.template.json`), 'utf8'));
  const cloud = await startLocalCloud({
    template, stackName: options.stack, assembly: options.assembly,
    onLog: ({ line }) => {
      const message = /"message":"(\{.*\})"/.exec(line)?.[1]?.replace(/\\"/g, '"');
      if (message) say(`  starter: ${message}`);
    },
  });
  try {
    const { lambda, dynamodb, stepFunctions } = cloud.services;
    const starter = Object.values(cloud.aliases)[0] ?? Object.values(cloud.functions)[0];
    const table = Object.values(cloud.tables)[0];
    say(`local cloud ${cloud.endpoint}: table ${table}, starter ${starter.split(':').slice(-2).join(':')}`);
    say(`starting ${options.tasks.map(shown).join(', ')} at once`);

    const starts = await Promise.all(options.tasks.map(async (taskId) => {
      const result = await lambda.invoke(starter, JSON.stringify({ taskId }));
      if (result.functionError) {
        say(`${shown(taskId)}: the starter failed: ${starterError(result.payload)}`);
        return null;
      }
      const answer = JSON.parse(result.payload);
      say(`${taskId}: started ${answer.executionName} @ ${answer.timestamp}`);
      return answer;
    }));

    const deadline = Date.now() + 1000 * Number(options.timeout);
    const last = new Map();
    for (;;) {
      for (const start of starts.filter(Boolean)) {
        const { Items: items = [] } = await dynamodb.call('Query', {
          TableName: table, ConsistentRead: true, KeyConditionExpression: 'taskId = :id',
          ExpressionAttributeValues: { ':id': { S: start.taskId } },
        });
        const item = items.find((i) => i.ExecutionArn?.S === start.executionArn);
        const status = item?.Status?.S;
        if (status && last.get(start.executionArn) !== status) {
          const why = status === 'FAILED' ? ` (${item.Error?.S}: ${item.Cause?.S})` : '';
          say(`${start.taskId} @ ${item.timestamp.N}  Status = ${status}${why}`);
          last.set(start.executionArn, status);
        }
      }
      const running = [...stepFunctions.executions.values()].some((e) => e.status === 'RUNNING');
      const settled = starts.filter(Boolean).every((s) => ['DONE', 'FAILED'].includes(last.get(s.executionArn)));
      if ((settled && !running) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }

    const statuses = starts.map((s) => (s ? last.get(s.executionArn) : 'NOT STARTED'));
    const count = (status) => statuses.filter((s) => s === status).length;
    const done = count('DONE');
    const failed = count('FAILED') + count('NOT STARTED');
    process.stdout.write(`tasks=${starts.length} done=${done} failed=${failed} stuck=${starts.length - done - failed}\n`);
    return done === starts.length ? 0 : 1;
  } finally {
    await cloud.close();
  }
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`run-local: ${error.message}\n`);
  process.exit(1);
});
