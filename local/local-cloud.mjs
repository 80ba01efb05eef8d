// Runs a synthesized TaskStatusWorkflow on this machine, on 127.0.0.1 only:
//  - a local DynamoDB (dynalite, in memory) with the table created from the template's definition;
//  - a Step Functions endpoint speaking the service's JSON 1.0 protocol (StartExecution,
//    DescribeExecution) that runs the template's state machine in a real ASL interpreter
//    (aws-local-stepfunctions), whose DynamoDB task states make the real calls, with the exact
//    Parameters the state machine produced, against the local DynamoDB.
//
// With --starter-jar, also a small Lambda Invoke and CloudFormation DescribeStacks endpoint
// (one server, 127.0.0.1): invoking the template's function runs the jar's handler in a JVM,
// and the stack's outputs point at the local function and table. That is enough for the AWS CLI,
// and so for examples/smoke.sh, to run against this machine.
//
// As a program: node local-cloud.mjs --template <template.json> [--wait-ms <State>=<ms>]...
//   [--fault <State>=<Error>[:<times>]]... [--retry-ms <State>=<ms>]...
//   [--starter-jar <jar> [--stack-name <name>]]
// prints one JSON line with the endpoints once ready, and stops when stdin closes or on SIGTERM,
// so it never outlives the process that started it.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

const here = path.dirname(fileURLToPath(import.meta.url));
const REGION = 'us-east-1';
const LOCAL_FUNCTION = 'local-starter';
const ACCOUNT = '000000000000';
const DYNAMODB_TASK = /^arn:aws:states:::dynamodb:(putItem|updateItem|getItem|deleteItem)$/;

/** An error a Task state raises, named as Step Functions names service errors. */
class TaskError extends Error {
  constructor(name, message, { retryable = true, catchable = true } = {}) {
    super(message);
    this.name = name;
    this.isRetryable = retryable;
    this.isCatchable = catchable;
  }
}

/** The single resource of a type in a CloudFormation template, with its logical id. */
export function onlyResource(template, type) {
  const found = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type} in the template, found ${found.length}`);
  }
  const [logicalId, resource] = found[0];
  return { logicalId, properties: resource.Properties ?? {} };
}

/** Renders a CloudFormation string expression (Fn::Join, Ref) with local values for each Ref. */
export function render(expression, refs) {
  if (typeof expression === 'string') return expression;
  if (expression['Fn::Join']) {
    const [separator, parts] = expression['Fn::Join'];
    return parts.map((part) => render(part, refs)).join(separator);
  }
  if (expression.Ref) {
    if (expression.Ref === 'AWS::Partition') return 'aws';
    if (expression.Ref === 'AWS::Region') return REGION;
    if (expression.Ref === 'AWS::AccountId') return ACCOUNT;
    if (expression.Ref in refs) return refs[expression.Ref];
  }
  throw new Error(`cannot resolve ${JSON.stringify(expression)} locally`);
}

/**
 * Real DynamoDB rejects an S, N or B value that is not a JSON string (Step Functions reports
 * "The value for the field 'N' must be a STRING"); DynamoDB Local and dynalite are lenient.
 * This check makes the harness as strict as the service.
 */
export function checkAttributeValues(stateName, parameters) {
  const problems = [];
  const check = (value, path) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path} must be an AttributeValue object`);
      return;
    }
    const types = Object.keys(value);
    if (types.length !== 1) {
      problems.push(`${path}: Supplied AttributeValue has ${types.length} datatypes set, must contain exactly one of the supported datatypes`);
      return;
    }
    const [type] = types;
    const v = value[type];
    if (['S', 'N', 'B'].includes(type) && typeof v !== 'string') {
      problems.push(`The value for the field '${type}' must be a STRING`);
    } else if (['SS', 'NS', 'BS'].includes(type)
        && !(Array.isArray(v) && v.every((e) => typeof e === 'string'))) {
      problems.push(`The value for the field '${type}' must be a list of STRING`);
    } else if (type === 'M') {
      Object.entries(v ?? {}).forEach(([k, e]) => check(e, `${path}.${k}`));
    } else if (type === 'L') {
      (Array.isArray(v) ? v : []).forEach((e, i) => check(e, `${path}[${i}]`));
    } else if (type === 'BOOL' && typeof v !== 'boolean') {
      problems.push(`The value for the field 'BOOL' must be a BOOLEAN`);
    }
  };
  for (const field of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey']) {
    Object.entries(parameters[field] ?? {}).forEach(([name, value]) => check(value, `${field}.${name}`));
  }
  if (problems.length > 0) {
    // A States.Runtime error: neither Retry nor Catch applies, the execution fails.
    throw new TaskError('States.Runtime',
      `An error occurred while executing the state '${stateName}'. The Parameters `
      + `'${JSON.stringify(parameters)}' could not be used to start the Task: [${problems.join(', ')}]`,
      { retryable: false, catchable: false });
  }
}

/**
 * Runs a Lambda handler from its jar in a new JVM with one event, as LambdaRunner.java does.
 * Resolves with the exit code (0, or 1 for a function error), the output and the log lines.
 */
export function invokeStarter(jar, handler, event, env, onLog = () => {}) {
  return new Promise((resolve, reject) => {
    const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
    const child = spawn(java, ['-cp', jar, path.join(here, 'LambdaRunner.java'), handler],
      { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let log = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    // The function's log lines, one per call of its logger.
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const lines = log.split('\n');
      log = lines.pop();
      lines.filter((line) => line.trim()).forEach(onLog);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: out.trim() }));
    child.stdin.end(typeof event === 'string' ? event : JSON.stringify(event));
  });
}

/** Every Task state of a definition, including those inside Parallel and Map states. */
function taskStates(definition, found = []) {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') found.push([name, state]);
    for (const branch of state.Branches ?? []) taskStates(branch, found);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) taskStates(processor, found);
  }
  return found;
}

/**
 * The Lambda Invoke and CloudFormation DescribeStacks endpoint for one stack: the template's
 * function is 'local-starter' (any qualifier; its alias 'local-starter:<name>'), and each output
 * names the local function, table or state machine it refers to.
 */
async function startAccount({ template, stackName, starterJar, environment, table, tableName,
  machine, stateMachineArn }) {
  const fn = onlyResource(template, 'AWS::Lambda::Function');
  const aliases = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Alias');
  const outputValue = (value) => {
    const text = JSON.stringify(value);
    const alias = aliases.find(([logicalId]) => text.includes(`"${logicalId}"`));
    if (alias) return `${LOCAL_FUNCTION}:${alias[1].Properties.Name}`;
    if (text.includes(`"${fn.logicalId}"`)) return LOCAL_FUNCTION;
    if (text.includes(`"${table.logicalId}"`)) return tableName;
    if (text.includes(`"${machine.logicalId}"`)) return stateMachineArn;
    return render(value, {});
  };
  const outputs = Object.entries(template.Outputs ?? {}).map(([key, output]) => `
          <member><OutputKey>${key}</OutputKey><OutputValue>${outputValue(output.Value)}</OutputValue></member>`).join('');
  const invocationPath = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

  const server = http.createServer(async (request, response) => {
    const body = await readBody(request);
    const invoke = invocationPath.exec(request.url);
    if (invoke) {
      const name = decodeURIComponent(invoke[1]).split(':')[0];
      if (name !== LOCAL_FUNCTION) {
        response.writeHead(404, { 'Content-Type': 'application/json', 'X-Amzn-ErrorType': 'ResourceNotFoundException' });
        response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
        return;
      }
      const result = await invokeStarter(starterJar, fn.properties.Handler, body || '{}',
        { ...environment, LAMBDA_REQUEST_ID: `local-${Date.now()}-${Math.random()}` });
      const headers = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '1' };
      if (result.code !== 0) headers['X-Amz-Function-Error'] = 'Unhandled';
      response.writeHead(200, headers);
      response.end(result.output);
    } else if (new URLSearchParams(body).get('Action') === 'DescribeStacks') {
      const requested = new URLSearchParams(body).get('StackName');
      response.writeHead(requested === stackName ? 200 : 400, { 'Content-Type': 'text/xml' });
      response.end(requested === stackName ? `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <DescribeStacksResult>
    <Stacks>
      <member>
        <StackName>${stackName}</StackName>
        <StackId>arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${stackName}/local</StackId>
        <StackStatus>CREATE_COMPLETE</StackStatus>
        <CreationTime>2026-01-01T00:00:00Z</CreationTime>
        <Outputs>${outputs}
        </Outputs>
      </member>
    </Stacks>
  </DescribeStacksResult>
  <ResponseMetadata><RequestId>local</RequestId></ResponseMetadata>
</DescribeStacksResponse>` : `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
  <Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${requested} does not exist</Message></Error>
  <RequestId>local</RequestId>
</ErrorResponse>`);
    } else {
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ message: `unsupported request ${request.method} ${request.url}` }));
    }
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts the local DynamoDB and Step Functions for a synthesized template.
 *
 * @param {object} options
 * @param {object} options.template the CloudFormation template (parsed JSON)
 * @param {Record<string, number>} [options.waitOverrides] Wait state name -> milliseconds
 * @param {Record<string, {error: string, times: number}>} [options.faults] Task state name ->
 *   an error to raise instead of calling DynamoDB, the first `times` times
 * @param {Record<string, number>} [options.retryOverrides] state name -> milliseconds between
 *   its retries, instead of the definition's backoff
 * @param {string} [options.starterJar] the starter's jar: serve Lambda Invoke and DescribeStacks
 * @param {string} [options.stackName] the stack name DescribeStacks answers to
 */
export async function startLocalCloud({
  template, waitOverrides = {}, faults = {}, retryOverrides = {}, starterJar, stackName = 'local',
}) {
  const table = onlyResource(template, 'AWS::DynamoDB::Table');
  const machine = onlyResource(template, 'AWS::StepFunctions::StateMachine');
  const tableName = `local-${table.logicalId}`;
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machine.logicalId}`;
  const definition = JSON.parse(render(machine.properties.DefinitionString,
    { [table.logicalId]: tableName }));

  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo);
  const dynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;

  async function callDynamoDb(action, body) {
    const response = await fetch(dynamodbEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `DynamoDB_20120810.${action}`,
        // dynalite checks that a signature is present, not that it is valid.
        Authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=local`,
        'X-Amz-Date': '20260101T000000Z',
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : {};
    if (!response.ok) {
      const type = String(json.__type ?? 'UnknownError').split('#').pop();
      throw new TaskError(`DynamoDB.${type}`, json.message ?? json.Message ?? type);
    }
    return json;
  }

  await callDynamoDb('CreateTable', {
    TableName: tableName,
    KeySchema: table.properties.KeySchema,
    AttributeDefinitions: table.properties.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
  });

  const remainingFaults = Object.fromEntries(
    Object.entries(faults).map(([state, fault]) => [state, { ...fault }]));
  const taskResourceLocalHandlers = {};
  for (const [name, state] of taskStates(definition)) {
    const match = DYNAMODB_TASK.exec(state.Resource);
    if (!match) continue;
    const action = match[1][0].toUpperCase() + match[1].slice(1);
    taskResourceLocalHandlers[name] = async (parameters) => {
      checkAttributeValues(name, parameters);
      const fault = remainingFaults[name];
      if (fault && fault.times > 0) {
        fault.times -= 1;
        throw new TaskError(fault.error, `injected ${fault.error} for ${name}`);
      }
      return callDynamoDb(action, parameters);
    };
  }

  const stateMachine = new StateMachine(definition);
  const executions = new Map();

  function startExecution({ name, input }) {
    const existing = executions.get(name);
    if (existing) {
      // The service: same name and input while running returns the same execution; otherwise
      // the name is taken (Standard workflows keep names for 90 days).
      if (existing.input === input && existing.status === 'RUNNING') {
        return { executionArn: existing.executionArn, startDate: existing.startDate };
      }
      throw Object.assign(new Error(`Execution Already Exists: '${existing.executionArn}'`),
        { code: 'ExecutionAlreadyExists' });
    }
    const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:') + `:${name}`;
    const startDate = Date.now() / 1000;
    const execution = { executionArn, name, input, status: 'RUNNING', startDate };
    executions.set(name, execution);
    const run = stateMachine.run(JSON.parse(input), {
      overrides: {
        taskResourceLocalHandlers,
        waitTimeOverrides: waitOverrides,
        retryIntervalOverrides: retryOverrides,
      },
      context: {
        Execution: { Id: executionArn, Name: name },
        StateMachine: { Id: stateMachineArn },
        // Evaluated when a path reads it, which is when the state is entered.
        State: { get EnteredTime() { return new Date().toISOString(); } },
      },
    });
    run.result.then((output) => {
      Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) });
    }, (error) => {
      const status = error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT'
        : error.name === 'ExecutionAbortedError' ? 'ABORTED' : 'FAILED';
      const cause = error.cause ?? error;
      Object.assign(execution, { status, error: cause.name, cause: cause.message });
    }).finally(() => {
      execution.stopDate = Date.now() / 1000;
    });
    return { executionArn, startDate };
  }

  function describeExecution({ executionArn }) {
    const execution = [...executions.values()].find((e) => e.executionArn === executionArn);
    if (!execution) {
      throw Object.assign(new Error(`Execution Does Not Exist: '${executionArn}'`),
        { code: 'ExecutionDoesNotExist' });
    }
    return { ...execution, stateMachineArn };
  }

  const operations = {
    'AWSStepFunctions.StartExecution': startExecution,
    'AWSStepFunctions.DescribeExecution': describeExecution,
  };
  const sfn = http.createServer(async (request, response) => {
    let status = 200;
    let payload;
    try {
      const operation = operations[request.headers['x-amz-target']];
      if (!operation) {
        throw Object.assign(new Error(`unsupported: ${request.headers['x-amz-target']}`),
          { code: 'UnknownOperationException' });
      }
      const body = JSON.parse(await readBody(request) || '{}');
      if (body.stateMachineArn && body.stateMachineArn !== stateMachineArn) {
        throw Object.assign(new Error(`State Machine Does Not Exist: '${body.stateMachineArn}'`),
          { code: 'StateMachineDoesNotExist' });
      }
      payload = operation(body);
    } catch (error) {
      status = 400;
      payload = { __type: `com.amazonaws.swf.service.v2.model#${error.code ?? 'InternalFailure'}`,
        message: error.message };
    }
    response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(payload));
  });
  const sfnPort = await listen(sfn);
  const environment = {
    STATE_MACHINE_ARN: stateMachineArn,
    AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${sfnPort}`,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  const account = starterJar ? await startAccount({
    template, stackName, starterJar, environment, table, tableName, machine, stateMachineArn,
  }) : null;

  return {
    dynamodbEndpoint,
    stepFunctionsEndpoint: `http://127.0.0.1:${sfnPort}`,
    stateMachineArn,
    tableName,
    region: REGION,
    executions,
    dynamodb: callDynamoDb,
    starterEnvironment: environment,
    accountEndpoint: account?.endpoint,
    close: async () => {
      await Promise.all([
        account?.close(),
        new Promise((resolve) => { sfn.closeAllConnections(); sfn.close(resolve); }),
        new Promise((resolve) => { dynamo.closeAllConnections?.(); dynamo.close(resolve); }),
      ]);
    },
  };
}

function parseArgs(argv) {
  const options = { waitOverrides: {}, faults: {}, retryOverrides: {} };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--template') {
      options.template = JSON.parse(readFileSync(value, 'utf8'));
    } else if (flag === '--wait-ms') {
      const [state, ms] = value.split('=');
      options.waitOverrides[state] = Number(ms);
    } else if (flag === '--starter-jar') {
      options.starterJar = value;
    } else if (flag === '--stack-name') {
      options.stackName = value;
    } else if (flag === '--retry-ms') {
      const [state, ms] = value.split('=');
      options.retryOverrides[state] = Number(ms);
    } else if (flag === '--fault') {
      const [state, spec] = value.split('=');
      const [error, times = '1'] = spec.split(':');
      options.faults[state] = { error, times: Number(times) };
    } else {
      throw new Error(`unknown option ${flag}`);
    }
  }
  if (!options.template) throw new Error('--template <synthesized template.json> is required');
  return options;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const cloud = await startLocalCloud(parseArgs(process.argv.slice(2)));
    const stop = async () => { await cloud.close(); process.exit(0); };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
    const { dynamodbEndpoint, stepFunctionsEndpoint, stateMachineArn, tableName, region,
      accountEndpoint, starterEnvironment } = cloud;
    process.stdout.write(JSON.stringify({ dynamodbEndpoint, stepFunctionsEndpoint,
      stateMachineArn, tableName, region, accountEndpoint, starterEnvironment }) + '\n');
  } catch (error) {
    process.stderr.write(`local-cloud: ${error.stack ?? error}\n`);
    process.exit(1);
  }
}
