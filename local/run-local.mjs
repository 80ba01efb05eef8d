// The local demo behind examples/run-local.sh: deploys the synthesized example app to the local
// cloud (cloud.mjs), starts every task id given at once through the starter, exactly as a
// caller would (Lambda Invoke on the starter's alias), prints each item's status changes and
// ends with one summary line:
//   tasks=3 done=3 failed=0 cancelled=0 stuck=0
//   node run-local.mjs --assembly <cdk.out> --stack <stack name> --task <id> [--task <id>]...
//     [--timeout <seconds>] [--worker-command <JSON array: the worker's command line>]
//     [--cancel <id>]
// With --worker-command (the worker example), it runs that worker program as the stack's worker
// role, prints each progress change (`progress 50%`) and the worker's lines; --cancel cancels
// that task once it is under way, as TaskStatusClient.cancel does (StopExecution with the error
// TaskStatus.Cancelled, then the reconciler at once). Exits 0 when every start ended DONE (the
// cancelled one CANCELLED), 1 otherwise.
import { spawn } from 'node:child_process';
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
    else if (['--assembly', '--stack', '--timeout', '--cancel'].includes(flag)) options[flag.slice(2)] = value;
    else if (flag === '--worker-command') options.workerCommand = JSON.parse(value);
    else throw new Error(`unknown option ${flag}`);
  }
  for (const required of ['assembly', 'stack']) {
    if (!options[required]) throw new Error(`--${required} is required`);
  }
  if (options.tasks.length === 0) throw new Error('give at least one --task');
  if (options.cancel !== undefined && !options.tasks.includes(options.cancel)) {
    throw new Error(`--cancel ${JSON.stringify(options.cancel)} is not one of the tasks started`);
  }
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

const FINAL = ['DONE', 'FAILED', 'CANCELLED'];

/** Runs the worker program as the stack's worker role, its lines printed as they come. */
function startWorker(cloud, command) {
  const role = Object.entries(cloud.roles).find(([id]) => id.startsWith('RenderWorkerRole'))?.[1];
  if (!role) throw new Error('the stack has no RenderWorkerRole for the worker');
  const output = (name) => Object.entries(cloud.outputs).find(([key]) => key.startsWith(name))?.[1];
  const worker = spawn(command[0], command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: cloud.endpoint, AWS_REGION: cloud.region,
      AWS_ACCESS_KEY_ID: role.accessKeyId, AWS_SECRET_ACCESS_KEY: role.secretAccessKey, AWS_SESSION_TOKEN: role.sessionToken,
      TASK_STATUS_WORKER_QUEUE_URL: output('TASKSTATUSWORKERQUEUEURL'), TASK_STATUS_TABLE: output('TASKSTATUSTABLE'),
      WORKER_STEP_MILLIS: process.env.WORKER_STEP_MILLIS ?? '700',
    },
  });
  let pending = '';
  worker.stdout.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) if (line.trim()) say(`  worker: ${line}`);
  });
  worker.stderr.on('data', (chunk) => process.stderr.write(chunk));
  return worker;
}

/** What TaskStatusClient.cancel does: stop with TaskStatus.Cancelled, then reconcile at once. */
async function cancel(cloud, executionArn, reason) {
  const { stepFunctions } = cloud.services;
  await stepFunctions.stopExecution({ executionArn, error: 'TaskStatus.Cancelled', cause: reason });
  const reconciler = Object.entries(cloud.stateMachines).find(([id]) => id.startsWith('TasksReconciler'))[1];
  await stepFunctions.startExecution({
    stateMachineArn: reconciler,
    input: JSON.stringify({ source: 'task-status-workflow.cancel', detail: { executionArn, status: 'ABORTED' } }),
  });
}

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
  let worker;
  try {
    const { lambda, dynamodb, stepFunctions } = cloud.services;
    if (options.workerCommand) {
      worker = startWorker(cloud, options.workerCommand);
      say('worker started: it takes the tasks from the worker queue');
    }
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
    const lastProgress = new Map();
    let cancelled = false;
    for (;;) {
      for (const start of starts.filter(Boolean)) {
        const { Items: items = [] } = await dynamodb.call('Query', {
          TableName: table, ConsistentRead: true, KeyConditionExpression: 'taskId = :id',
          ExpressionAttributeValues: { ':id': { S: start.taskId } },
        });
        const item = items.find((i) => i.ExecutionArn?.S === start.executionArn);
        const status = item?.Status?.S;
        if (status && last.get(start.executionArn) !== status) {
          const why = ['FAILED', 'CANCELLED'].includes(status) ? ` (${item.Error?.S}: ${item.Cause?.S})` : '';
          say(`${start.taskId} @ ${item.timestamp.N}  Status = ${status}${why}`);
          last.set(start.executionArn, status);
        }
        const progress = item?.Progress?.N;
        if (progress !== undefined && lastProgress.get(start.executionArn) !== progress) {
          say(`${start.taskId} @ ${item.timestamp.N}  progress ${progress}%${item.ProgressMessage ? ` (${item.ProgressMessage.S})` : ''}`);
          lastProgress.set(start.executionArn, progress);
          // Midway: once its worker has reported, as a user would see it under way.
          if (start.taskId === options.cancel && !cancelled && status === 'STARTED') {
            cancelled = true;
            say(`cancelling ${shown(start.taskId)} (as TaskStatusClient.cancel does)`);
            await cancel(cloud, start.executionArn, 'cancelled by run-local.sh --cancel');
          }
        }
      }
      const running = [...stepFunctions.executions.values()].some((e) => e.status === 'RUNNING');
      const settled = starts.filter(Boolean).every((s) => FINAL.includes(last.get(s.executionArn)));
      if ((settled && !running) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }

    const statuses = starts.map((s) => (s ? last.get(s.executionArn) : 'NOT STARTED'));
    const count = (status) => statuses.filter((s) => s === status).length;
    const done = count('DONE');
    const failed = count('FAILED') + count('NOT STARTED');
    const cancelledCount = count('CANCELLED');
    if (worker) {
      // The summary is the last line: the worker says what became of the task it holds (a
      // cancelled one) before it, and is stopped.
      await stopWorker(worker);
      worker = undefined;
    }
    process.stdout.write(`tasks=${starts.length} done=${done} failed=${failed} cancelled=${cancelledCount} `
      + `stuck=${starts.length - done - failed - cancelledCount}\n`);
    const expected = (start, status) => status === (start?.taskId === options.cancel ? 'CANCELLED' : 'DONE');
    return starts.every((start, i) => expected(start, statuses[i])) ? 0 : 1;
  } finally {
    if (worker) await stopWorker(worker);
    await cloud.close();
  }
}

/** A moment for the worker's last lines, then it is stopped, and nothing more of it is printed. */
async function stopWorker(worker) {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  worker.stdout.removeAllListeners('data');
  worker.kill();
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`run-local: ${error.message}\n`);
  process.exit(1);
});
