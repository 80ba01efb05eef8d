// The local demo behind examples/run-local.sh: runs the synthesized example app on this machine
// and shows one task going from STARTED to DONE.
//   node run-local.mjs --assembly <cdk.out> --stack <stack name> --task <taskId>
// Starts the local cloud (local-cloud.mjs) for the stack's template, invokes the starter from the
// very jar the assembly would deploy, prints the item's status on every change and the execution's
// result. Exits 0 when the execution succeeded and the item is DONE, 1 otherwise.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { invokeStarter, onlyResource, startLocalCloud } from './local-cloud.mjs';

const POLL_MS = 100;

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) options[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const required of ['assembly', 'stack', 'task']) {
    if (!options[required]) throw new Error(`--${required} is required`);
  }
  return options;
}

const time = () => new Date().toISOString().slice(11, 23);
const say = (message) => process.stdout.write(`${time()}  ${message}\n`);

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const templatePath = path.join(options.assembly, `${options.stack}.template.json`);
  const template = JSON.parse(readFileSync(templatePath, 'utf8'));
  const fn = onlyResource(template, 'AWS::Lambda::Function').properties;
  const jar = path.join(options.assembly, `asset.${fn.Code.S3Key}`);
  if (!existsSync(jar)) throw new Error(`the starter's asset ${jar} is not in ${options.assembly}`);

  const cloud = await startLocalCloud({ template });
  try {
    say(`local DynamoDB ${cloud.dynamodbEndpoint}, table ${cloud.tableName}`);
    say(`local Step Functions ${cloud.stepFunctionsEndpoint}`);
    say(`invoking the starter (${path.basename(jar)}) with {"taskId": ${JSON.stringify(options.task)}}`);
    const invocation = await invokeStarter(jar, fn.Handler, { taskId: options.task },
      cloud.starterEnvironment, (line) => say(`starter log: ${line}`));
    if (invocation.code !== 0) throw new Error(`the starter failed: ${invocation.output}`);
    const started = JSON.parse(invocation.output);
    say(`starter returned ${invocation.output}`);

    const execution = cloud.executions.get(started.executionName);
    const key = { taskId: { S: started.taskId }, timestamp: { N: String(started.timestamp) } };
    const deadline = Date.now() + 1000 * (Number(options.timeout ?? 300));
    let lastStatus;
    for (;;) {
      const { Item: item } = await cloud.dynamodb('GetItem',
        { TableName: cloud.tableName, Key: key, ConsistentRead: true });
      const status = item?.Status?.S;
      if (status && status !== lastStatus) {
        const detail = status === 'FAILED' ? ` (${item.Error?.S}: ${item.Cause?.S})` : '';
        say(`${started.taskId} @ ${started.timestamp}  Status = ${status}${detail}`);
        lastStatus = status;
      }
      if (execution.status !== 'RUNNING' && status !== 'STARTED') break;
      if (Date.now() > deadline) throw new Error('timed out waiting for the task to finish');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const result = execution.status === 'SUCCEEDED'
      ? `output ${execution.output}` : `${execution.error}: ${execution.cause}`;
    say(`execution ${execution.status}: ${result}`);
    return execution.status === 'SUCCEEDED' && lastStatus === 'DONE' ? 0 : 1;
  } finally {
    await cloud.close();
  }
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`run-local: ${error.message}\n`);
  process.exit(1);
});
