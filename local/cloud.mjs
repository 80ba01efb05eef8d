// The local cloud: a synthesized CloudFormation template deployed on this machine, on
// 127.0.0.1 only. One gateway endpoint serves DynamoDB, Step Functions, Lambda, SQS and
// CloudFormation's DescribeStacks, each request signature-checked against the credentials
// issued here and authorized with the template's IAM policies (iam.mjs), as is every call a
// service makes for a role; EventBridge's default bus carries Step Functions' status change
// events to the template's rules, custom buses carry PutEvents' entries, and EventBridge Pipes
// carry DynamoDB stream records (pipes.mjs). See the README's "Running locally" for what is and
// is not emulated.
//
// The ready line gives the administrator's credentials (`credentials`) and a session of every
// role of the template (`roles`: logical id -> credentials and ARN), so a test or an
// application can call as the role it would have on AWS.
//
// As a program:
//   node cloud.mjs --template <template.json> [--stack-name <name>]
//     [--account <12 digits>] [--region <region>]
//     [--code <LogicalId|*>=<jar>]... [--assembly <cdk.out>]
//     [--wait-ms <State>=<ms>]... [--retry-ms <State>=<ms>]...
//     [--heartbeat-ms <State>=<ms>]... [--task-timeout-ms <State>=<ms>]...
//     [--fault <State>=<Error>[:<times>][:after][:task=<taskId prefix>]]... [--fault-api <Operation>=<Error>[:<times>]]...
//     [--fail-target <RuleLogicalId>=<times>] [--event-retry-ms <ms>] [--status-events full|minimal]
//     [--schedule-ms <RuleLogicalId>=<ms>] [--chaos <setting>=<value>,...] (chaos.mjs)
//     [--function-env <FunctionLogicalId>:<NAME>=<value>]...
//     [--visibility-timeout-ms <ms>] [--async-retry-ms <first>,<second>] [--clock <ISO time>]
//     [--express-reruns <how many Express executions run twice>] [--pipe-retry-ms <ms>]
//     [--runtime-lib <directory of jars | jar>]...
// --heartbeat-ms and --task-timeout-ms replace a Task state's HeartbeatSeconds and TimeoutSeconds
// (or their paths), so a test of a callback task need not wait minutes; /_local/tokens lists the
// task tokens (stepfunctions.mjs, tokens.mjs).
// prints one JSON line with the endpoint, credentials and names once ready, and stops when
// stdin closes or on SIGTERM, so it never outlives the process that started it. The cloud runs
// in the stack's account and region: --account and --region, else the assembly manifest's
// environment for the stack, else 000000000000 and us-east-1. With --clock,
// it runs itself under libfaketime (clock.mjs): every service and every Lambda JVM reads a wall
// clock set to that time. --runtime-lib gives the jars of AWS's Lambda runtime interface client
// (and what it needs) that Java functions run in, each a jar or a directory of jars; without it,
// target/lambda-runtime next to this file, where the repository's build copies them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Credentials } from './auth.mjs';
import { clockEnvironment } from './clock.mjs';
import { DynamoDb } from './dynamodb.mjs';
import { EventBridge } from './eventbridge.mjs';
import { Gateway, json } from './gateway.mjs';
import { Chaos } from './chaos.mjs';
import { Iam, checkIamPatch } from './iam.mjs';
import { Lambda } from './lambda.mjs';
import { Logs } from './logs.mjs';
import { Pipes } from './pipes.mjs';
import { Sqs } from './sqs.mjs';
import { StepFunctions, checkPatches } from './stepfunctions.mjs';
import { ACCOUNT, REGION, Template, environmentOf, useEnvironment } from './template.mjs';

/** CloudFormation's DescribeStacks for this stack: its outputs, resolved locally. */
function cloudFormationRoute(template) {
  const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    name: 'cloudformation',
    match: (req) => req.method === 'POST' && req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
      && req.form().get('Action') === 'DescribeStacks',
    authorize: () => [{ action: 'cloudformation:DescribeStacks', resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${template.stackName}/local`,
      error: { code: 'AccessDenied', status: 403 } }],
    handle: async (req) => {
      const requested = req.form().get('StackName');
      if (requested !== template.stackName) {
        return { status: 400, headers: { 'Content-Type': 'text/xml' }, body: `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escape(requested)} does not exist</Message></Error><RequestId>local</RequestId></ErrorResponse>` };
      }
      const outputs = template.outputs().map((o) => `<member><OutputKey>${escape(o.key)}</OutputKey><OutputValue>${escape(o.value)}</OutputValue></member>`).join('');
      return { status: 200, headers: { 'Content-Type': 'text/xml' }, body: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${escape(template.stackName)}</StackName><StackId>arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${escape(template.stackName)}/local</StackId><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></DescribeStacksResponse>` };
    },
  };
}

/**
 * Starts every local service for a template.
 *
 * @param {object} options see the program usage above; `template` is the parsed JSON
 */
export async function startLocalCloud({
  template: json_, stackName = 'local', account, region, code = {}, assembly, waitOverrides = {}, retryOverrides = {},
  heartbeatOverrides = {}, taskTimeoutOverrides = {},
  faults = {}, apiFaults = {}, failTargets = {}, scheduleOverrides = {}, eventRetryMs, minimalEvents, visibilityTimeoutMs, asyncRetryDelaysMs, expressReruns, onLog,
  chaos = new Chaos(), functionEnvironment = {}, runtimeLibs, pipeRetryMs,
}) {
  await checkPatches();
  await checkIamPatch();
  const manifest = assembly ? JSON.parse(readFileSync(path.join(assembly, 'manifest.json'), 'utf8')) : {};
  useEnvironment({ ...environmentOf(manifest, stackName), ...(account ? { account } : {}), ...(region ? { region } : {}) });
  const template = new Template(json_, stackName);
  const credentials = new Credentials();
  const iam = new Iam(template);
  const gateway = new Gateway(credentials, iam);
  const endpoint = await gateway.start();

  const logs = new Logs(template, { iam });
  const dynamodb = new DynamoDb(template);
  const sqs = new Sqs(template, { iam, visibilityTimeoutMs });
  const lambda = new Lambda(template, { iam, credentials, sqs, code, assembly, asyncRetryDelaysMs, functionEnvironment, runtimeLibs });
  const stepFunctions = new StepFunctions(template, { iam, dynamodb, sqs, lambda, waitOverrides, retryOverrides, heartbeatOverrides,
    taskTimeoutOverrides, faults, apiFaults, minimalEvents, expressReruns, chaos });
  const eventBridge = new EventBridge(template, { iam, stepFunctions, sqs, failTargets, scheduleOverrides, retryDelayMs: eventRetryMs });
  const pipes = new Pipes(template, { iam, dynamodb, stepFunctions, eventBridge, sqs, chaos, retryDelayMs: pipeRetryMs });
  try {
    // Names first, so that any resource's expressions can refer to any other.
    iam.declare();
    logs.declare();
    sqs.declare(endpoint);
    stepFunctions.declare();
    eventBridge.declare();
    pipes.declare();
    lambda.declare();
    await dynamodb.start();
    iam.start();
    await logs.start();
    await stepFunctions.start();
    await eventBridge.start();
    await pipes.start();
    stepFunctions.onStatusChange((event) => eventBridge.put(event));
    await lambda.start({ gatewayEndpoint: endpoint, onLog });
  } catch (error) {
    await Promise.allSettled([gateway.close(), dynamodb.close(), lambda.close()]);
    throw error;
  }

  gateway.route(dynamodb.route());
  gateway.route(dynamodb.streamsRoute());
  gateway.route(stepFunctions.route());
  gateway.route(sqs.route());
  gateway.route(lambda.route());
  gateway.route(eventBridge.route());
  gateway.route(cloudFormationRoute(template));
  gateway.route({
    // What happened, for tests and demos: not an AWS API, and not signed.
    name: 'inspect', unsigned: true,
    match: (req) => req.path.startsWith('/_local/'),
    handle: async (req) => json(await ({
      '/_local/streams': () => dynamodb.streamRecords(),
      '/_local/executions': () => [...stepFunctions.executions.values()].map((e) => ({ ...stepFunctions.describe(e), transitions: e.transitions, retries: e.retries, runs: e.runs, outcomes: e.outcomes ?? [] })),
      '/_local/invocations': () => lambda.invocations,
      '/_local/async': () => lambda.asyncEvents,
      '/_local/environments': () => lambda.environments.map((e) => ({ id: e.id, pid: e.process?.pid, function: e.fn.name, version: e.version, initType: e.initType, lifecycle: e.lifecycle })),
      '/_local/logs': () => lambda.logs,
      '/_local/signers': () => credentials.signers,
      '/_local/deliveries': () => eventBridge.deliveries,
      '/_local/events': () => eventBridge.events,
      '/_local/pipes': () => pipes.report(),
      '/_local/pollers': () => lambda.pollers.map((p) => ({ batches: p.batches, errors: p.errors })),
      '/_local/iam': () => ({ decisions: iam.decisions, notes: iam.notes }),
      '/_local/iam/grants': () => iam.grants(),
      '/_local/chaos': () => ({ ...chaos.report(), droppedEvents: stepFunctions.droppedEvents.length }),
      '/_local/tokens': () => stepFunctions.tokens.list(),
    }[req.path] ?? (() => { throw new Error(`no ${req.path}`); }))()),
  });
  for (const note of iam.notes) onLog?.({ at: Date.now(), function: 'iam', line: note });

  eventBridge.startSchedules();
  pipes.startPolling();
  const client = credentials.issue('local client', { temporary: false, principal: Iam.adminPrincipal() });
  const roles = Object.fromEntries([...iam.roles.values()].map((role) => {
    const issued = credentials.issue(`role ${role.logicalId}`, { principal: iam.rolePrincipal(role.arn, 'local') });
    return [role.logicalId, { arn: role.arn, accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken }];
  }));
  const names = (type) => Object.fromEntries(template.resources(type).map((r) => [r.logicalId, template.ref(r.logicalId)]));
  return {
    endpoint,
    account: ACCOUNT,
    region: REGION,
    credentials: { accessKeyId: client.accessKeyId, secretAccessKey: client.secretAccessKey },
    roles,
    tables: Object.fromEntries(dynamodb.tables),
    stateMachines: names('AWS::StepFunctions::StateMachine'),
    functions: names('AWS::Lambda::Function'),
    aliases: names('AWS::Lambda::Alias'),
    queues: names('AWS::SQS::Queue'),
    pipes: names('AWS::Pipes::Pipe'),
    eventBuses: Object.fromEntries([...eventBridge.buses.values()].filter((b) => b.logicalId).map((b) => [b.logicalId, b.arn])),
    outputs: Object.fromEntries(template.outputs().map((o) => [o.key, o.value])),
    services: { dynamodb, sqs, stepFunctions, eventBridge, pipes, lambda, credentials, iam, template },
    close: async () => {
      pipes.close();
      eventBridge.close();
      await lambda.close();
      await Promise.allSettled([gateway.close(), dynamodb.close()]);
    },
  };
}

export function parseArgs(argv) {
  const options = { code: {}, waitOverrides: {}, retryOverrides: {}, heartbeatOverrides: {}, taskTimeoutOverrides: {}, faults: {}, apiFaults: {}, failTargets: {}, scheduleOverrides: {}, functionEnvironment: {} };
  const pair = (value) => { const i = value.indexOf('='); return [value.slice(0, i), value.slice(i + 1)]; };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case '--template': options.template = JSON.parse(readFileSync(value, 'utf8')); break;
      case '--stack-name': options.stackName = value; break;
      case '--account': options.account = value; break;
      case '--region': options.region = value; break;
      case '--assembly': options.assembly = value; break;
      case '--code': { const [id, jar] = pair(value); options.code[id] = jar; break; }
      case '--wait-ms': { const [state, ms] = pair(value); options.waitOverrides[state] = Number(ms); break; }
      case '--retry-ms': { const [state, ms] = pair(value); options.retryOverrides[state] = Number(ms); break; }
      case '--heartbeat-ms': { const [state, ms] = pair(value); options.heartbeatOverrides[state] = Number(ms); break; }
      case '--task-timeout-ms': { const [state, ms] = pair(value); options.taskTimeoutOverrides[state] = Number(ms); break; }
      case '--fault': {
        const [state, spec] = pair(value);
        const [error, times = '1', ...rest] = spec.split(':');
        const task = rest.find((part) => part.startsWith('task='))?.slice('task='.length);
        options.faults[state] = { error, times: Number(times), after: rest.includes('after'), ...(task ? { task } : {}) };
        break;
      }
      case '--fault-api': {
        const [operation, spec] = pair(value);
        const [error, times = '1'] = spec.split(':');
        options.apiFaults[operation] = { error, times: Number(times) };
        break;
      }
      case '--fail-target': { const [rule, times] = pair(value); options.failTargets[rule] = Number(times); break; }
      case '--schedule-ms': { const [rule, ms] = pair(value); options.scheduleOverrides[rule] = Number(ms); break; }
      case '--chaos': options.chaos = Chaos.parse(value); break;
      case '--function-env': {
        // <FunctionLogicalIdPrefix>:<NAME>=<value>, as if the template set the variable.
        const [target, assignment] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
        const [name, setting] = pair(assignment);
        (options.functionEnvironment[target] ??= {})[name] = setting;
        break;
      }
      case '--status-events': options.minimalEvents = value === 'minimal'; break;
      case '--event-retry-ms': options.eventRetryMs = Number(value); break;
      case '--visibility-timeout-ms': options.visibilityTimeoutMs = Number(value); break;
      case '--async-retry-ms': options.asyncRetryDelaysMs = value.split(',').map(Number); break;
      case '--clock': options.clock = value; break;
      case '--express-reruns': options.expressReruns = Number(value); break;
      case '--runtime-lib': (options.runtimeLibs ??= []).push(value); break;
      case '--pipe-retry-ms': options.pipeRetryMs = Number(value); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  if (!options.template) throw new Error('--template <synthesized template.json> is required');
  return options;
}

/** Runs this program again under the clock, passing on stdin, output and the exit code. */
function underClock(argv, clock) {
  const args = [];
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] !== '--clock') args.push(argv[i], argv[i + 1]);
  }
  const child = spawn(process.execPath, [process.argv[1], ...args], {
    env: { ...process.env, ...clockEnvironment(clock) }, stdio: 'inherit',
  });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const clockAt = process.argv.indexOf('--clock');
if (import.meta.url === pathToFileURL(process.argv[1]).href && clockAt > 1 && !process.env.FAKETIME) {
  underClock(process.argv.slice(2), process.argv[clockAt + 1]);
} else if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const cloud = await startLocalCloud(parseArgs(process.argv.slice(2)));
    const stop = async () => { await cloud.close(); process.exit(0); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
    const { services, close, ...ready } = cloud;
    process.stdout.write(`${JSON.stringify(ready)}\n`);
  } catch (error) {
    process.stderr.write(`local cloud: ${error.stack ?? error}\n`);
    process.exit(1);
  }
}
