// Step Functions: every state machine of the template runs in aws-local-stepfunctions, a real
// ASL interpreter (JSONPath, intrinsics, Retry, Catch, Parallel, Wait), behind the service's
// JSON protocol: StartExecution, StartSyncExecution (Express only), DescribeExecution,
// StopExecution, ListExecutions, RedriveExecution, and SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat. Task states: DynamoDB's optimized integration (putItem, updateItem, getItem,
// deleteItem) calls the local DynamoDB with the exact Parameters the state produced, strict about
// S/N/B values as the real service is; SQS sendMessage sends to the local SQS; Lambda invoke
// (optimized, or a function ARN) invokes the local Lambda; aws-sdk integrations reach DynamoDB,
// Step Functions and SQS (sendMessage). Any other Task resource is refused when the cloud starts,
// naming it, rather than run wrongly. When a Standard execution starts and ends, the documented
// "Step Functions Execution Status Change" event goes to EventBridge.
//
// The callback pattern (developer guide, "Wait for a Callback with Task Token"), for SQS:
// sqs:sendMessage.waitForTaskToken sends the Parameters, $$.Task.Token resolved (a new token each
// time the state is entered), and the task waits until a worker answers the token: SendTaskSuccess's
// output is the task's result, SendTaskFailure's error and cause its error (a Catch or Retry on that
// name works), SendTaskHeartbeat restarts the HeartbeatSeconds clock (States.HeartbeatTimeout when
// it runs out; a Catch on States.Timeout also catches it), TimeoutSeconds bounds the whole task
// (States.Timeout; the interpreter's own timer). A token whose task ended any way (answered, timed
// out, execution stopped or ended) answers TaskTimedOut; tokens.mjs has the API's rules. Express
// state machines cannot wait for a token, as on AWS. HeartbeatSeconds is enforced only for tasks
// that wait for a token (nothing else heartbeats here; activities are not run).
//
// IAM: each state machine acts as its role (RoleArn, which must trust states.amazonaws.com): every
// DynamoDB and SQS call of a task is authorized for it first (iam.mjs), and a denial fails the
// task with the error Step Functions gives (DynamoDB.AmazonDynamoDBException for DynamoDB's
// AccessDeniedException, SQS.AmazonSQSException for SQS's AccessDenied). Calls to the service
// itself are authorized for their signer; SendTask* on the state machine the token belongs to.
//
// Fault injection (tests and demos only): a Task state can fail its first N calls with a given
// error, before or after its DynamoDB call took effect.
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { AwsError } from './auth.mjs';
import { Chaos } from './chaos.mjs';
import { DYNAMODB_ERROR_STATUS, checkAttributeValues, sdkExceptionName, stepFunctionsErrorName } from './dynamodb.mjs';
import { sqsErrorName } from './sqs.mjs';
import { TaskTokens } from './tokens.mjs';
import { json } from './gateway.mjs';
import { ACCOUNT, REGION } from './template.mjs';

const DYNAMODB_TASK = /^arn:aws:states:::dynamodb:(putItem|updateItem|getItem|deleteItem)$/;
const SQS_SEND = /^arn:aws:states:::sqs:sendMessage(\.waitForTaskToken)?$/;
/** The callback pattern: the task waits for its token to come back (tokens.mjs). */
const WAIT_FOR_TASK_TOKEN = /\.waitForTaskToken$/;
/** The API's calls a worker answers a task token with. */
const TASK_TOKEN_OPERATIONS = new Set(['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat']);
const LAMBDA_INVOKE = /^arn:aws:states:::lambda:invoke$/;
const LAMBDA_FUNCTION = /^arn:aws:lambda:[^:]+:[^:]+:function:[^:]+(:[^:]+)?$/;
const AWS_SDK = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/;

/** The services the aws-sdk integration reaches locally, as Step Functions names their errors. */
const AWS_SDK_SERVICES = { dynamodb: 'DynamoDb', sfn: 'Sfn', sqs: 'Sqs' };
/**
 * StartExecution's name and input, as the API reference has them: the lengths are constraints of
 * the API's model (name 1-80 characters, input at most 262,144 bytes of UTF-8), which the service
 * refuses with a ValidationException before it looks at the state machine; the characters a name
 * must not contain are refused with InvalidName.
 */
const NAME_CHARACTERS = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]*$/;
const MAX_NAME_LENGTH = 80;
const MAX_INPUT_BYTES = 256 * 1024;
/** How long after it ended an execution may be redriven (RedriveExecution). */
const REDRIVABLE_MS = 14 * 86_400_000;
/** Step Functions' error codes that have an exception of their own in the SDKs. */
const SFN_EXCEPTIONS = new Set(['ExecutionDoesNotExist', 'ExecutionAlreadyExists', 'ExecutionNotRedrivable', 'InvalidArn',
  'InvalidName', 'InvalidExecutionInput', 'StateMachineDoesNotExist', 'TaskDoesNotExist', 'TaskTimedOut', 'ValidationException',
  'KmsAccessDeniedException', 'ExecutionLimitExceeded', 'StateMachineTypeNotSupported']);
const LOG_DELIVERY_ACTIONS = ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'];
const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

/** An error a Task state raises, as Step Functions names service errors. */
class TaskError extends Error {
  constructor(name, message, { retryable = true, catchable = true } = {}) {
    super(message);
    this.name = name;
    this.isRetryable = retryable;
    this.isCatchable = catchable;
  }
}

/**
 * The model's constraints on StartExecution's name and input, which AWS checks first and answers
 * as it answers any model constraint: "1 validation error detected: Value '<name>' at 'name'
 * failed to satisfy constraint: Member must have length less than or equal to 80", and for the
 * input (sensitive, so its value is left out) "Value at 'input' failed to satisfy constraint:
 * Member must have size less than or equal to 262144 bytes in UTF-8 encoding".
 */
function checkStartRequest(name, input) {
  const problems = [];
  if (name.length > MAX_NAME_LENGTH || name.length < 1) {
    problems.push(`Value '${name}' at 'name' failed to satisfy constraint: Member must have length `
      + (name.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_NAME_LENGTH}`));
  }
  if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
    problems.push(`Value at 'input' failed to satisfy constraint: Member must have size less than or equal to ${MAX_INPUT_BYTES} bytes in UTF-8 encoding`);
  }
  if (problems.length > 0) {
    throw new AwsError('ValidationException', `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`);
  }
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
 * Fails unless the interpreter behaves as the service is documented to where the package does
 * not by itself (patches/aws-local-stepfunctions.mjs): States.MathAdd rounds non-integers and
 * refuses numbers outside 32-bit integers, an error without a Cause reaches a Catch without one,
 * a state output over 256 KiB is States.DataLimitExceeded, States.JsonToString gives valid JSON,
 * and for the callback pattern: $$.Task.Token, no task timeout unless the state sets one,
 * HeartbeatSecondsPath read from the state's input, a task timeout without a Cause that the task's
 * handler is told of, and a heartbeat timeout that a Catch on States.Timeout catches and one on
 * States.TaskFailed does not.
 */
export async function checkPatches() {
  const probe = new StateMachine({
    StartAt: 'Try',
    States: {
      Try: { Type: 'Parallel', Branches: [{ StartAt: 'Fail', States: { Fail: { Type: 'Fail', Error: 'E' } } }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Add' }], End: true },
      Add: { Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, 1)', 'error.$': '$.error' }, End: true },
    },
  });
  const { sum, error } = await probe.run({ a: 1.6 }).result;
  const failure = async (definition, input) => {
    try {
      await new StateMachine(definition).run(input).result;
      return 'no error';
    } catch (e) {
      return (e.cause ?? e).name;
    }
  };
  const overflow = await failure({ StartAt: 'Add', States: { Add: { Type: 'Pass',
    Parameters: { 'sum.$': 'States.MathAdd($.a, 1)' }, End: true } } }, { a: 2147483647 });
  const oversized = await failure({ StartAt: 'Grow', States: { Grow: { Type: 'Pass',
    Parameters: { 'a.$': '$.a', 'b.$': '$.a' }, End: true } } }, { a: 'x'.repeat(140 * 1024) });
  const quoted = { a: 'say "hi" \\ bye' };
  const { text } = await new StateMachine({ StartAt: 'Say', States: { Say: { Type: 'Pass',
    Parameters: { 'text.$': 'States.JsonToString($.a)' }, End: true } } }).run({ a: quoted }).result;
  const roundTrip = (() => { try { return JSON.stringify(JSON.parse(text)) === JSON.stringify(quoted); } catch { return false; } })();
  const callback = await probeCallback();
  if (sum !== 3 || 'Cause' in error || overflow !== 'States.Runtime' || oversized !== 'States.DataLimitExceeded' || !roundTrip || callback) {
    throw new Error('aws-local-stepfunctions is not patched as the service behaves (States.MathAdd'
      + ` gave ${sum}, a Fail without Cause gave ${JSON.stringify(error)}, MathAdd past 2147483647 gave`
      + ` ${overflow}, a 280 KiB output gave ${oversized}, States.JsonToString gave ${text}${callback ? `, ${callback}` : ''}):`
      + " run 'npm ci' in local/");
  }
}

/** What is wrong with the interpreter's callback support (patches 7 to 9), or undefined. */
async function probeCallback() {
  const seen = {};
  const probe = new StateMachine({
    StartAt: 'Wait',
    States: {
      Wait: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', HeartbeatSecondsPath: '$.beat',
        Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } },
        Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' }, { ErrorEquals: ['States.Timeout'], Next: 'Caught' }], End: true },
      Wrong: { Type: 'Fail', Error: 'Wrong' },
      Caught: { Type: 'Pass', End: true },
    },
  });
  const handler = (mode) => async (parameters, task) => {
    seen[mode] = { token: parameters.MessageBody.token, timeoutMs: task?.timeoutMs, heartbeatMs: task?.heartbeatMs };
    if (mode === 'heartbeat') throw Object.assign(new Error('no heartbeat'), { name: 'States.HeartbeatTimeout' });
    await new Promise((resolve) => task.signal.addEventListener('abort', resolve));
    seen[mode].told = true;
    return {};
  };
  const run = (mode, overrides = {}) => probe.run({ beat: 7 }, { overrides: {
    taskResourceLocalHandlers: { Wait: handler(mode) }, taskToken: (state) => `token of ${state}`, ...overrides } }).result
    .catch((e) => ({ Error: `uncaught ${(e.cause ?? e).name}` }));
  const heartbeat = await run('heartbeat');
  const timeout = await run('timeout', { taskTimeoutOverrides: { Wait: 5 } });
  const expected = { token: 'token of Wait', timeoutMs: undefined, heartbeatMs: 7000 };
  if (JSON.stringify(seen.heartbeat) !== JSON.stringify(expected) || heartbeat.Error !== 'States.HeartbeatTimeout'
    || timeout.Error !== 'States.Timeout' || 'Cause' in timeout || seen.timeout?.told !== true) {
    return `a callback task saw ${JSON.stringify(seen)}, its heartbeat timeout gave ${JSON.stringify(heartbeat)} and its`
      + ` timeout ${JSON.stringify(timeout)}`;
  }
  return undefined;
}

/** Whether an injected fault is for this call: every call, or a DynamoDB call for its task ids. */
function faultApplies(fault, dynamodb) {
  if (fault.task === undefined) return true;
  const taskId = (dynamodb?.Item ?? dynamodb?.Key)?.taskId?.S;
  return typeof taskId === 'string' && taskId.startsWith(fault.task);
}

/** The scope of the top-level states, in an execution's progress. */
const ROOT_SCOPE = '';
/** How the states a redrive adds to a resumed Parallel's branches begin (never a user's state). */
const REDRIVE_STAND_IN = 'redrive:';

/** The scope of every state (any depth): the top level, `<Parallel>#<branch index>` or `<Map>[]`. */
function scopes(definition, found = new Map(), scope = ROOT_SCOPE) {
  for (const [name, state] of Object.entries(definition.States)) {
    found.set(name, scope);
    (state.Branches ?? []).forEach((branch, index) => scopes(branch, found, `${name}#${index}`));
    // A Map's iterations share a scope, which no redrive resumes in (the Map runs again whole).
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) scopes(processor, found, `${name}[]`);
  }
  return found;
}

/**
 * Keeps, across an execution's runs, where it stands: each state's last entry (its input, and its
 * output once it exited) and the last state entered in each scope (the top level, each branch).
 */
function recordProgress(machine, execution, event) {
  machine.scopes ??= scopes(machine.definition);
  const progress = (execution.progress ??= { states: new Map(), last: new Map() });
  const { name, input, output } = event.state ?? {};
  if (event.type === 'StateEntered') {
    progress.states.set(name, { input });
    progress.last.set(machine.scopes.get(name), name);
  } else if (event.type === 'StateExited') {
    Object.assign(progress.states.get(name) ?? {}, { exited: true, output });
  } else if (event.type === 'StateFailed') {
    Object.assign(progress.states.get(name) ?? {}, { error: event.Error });
  }
}

/**
 * A Parallel that did not finish, as a redrive runs it: each branch that succeeded replaced by a
 * Pass giving its output, each other one started where it stood (recursively); undefined when
 * the whole state runs again (not a Parallel, it finished, or it failed with
 * States.DataLimitExceeded).
 */
function resumeParallel(state, name, execution) {
  const reached = execution.progress?.states.get(name);
  if (state?.Type !== 'Parallel' || !reached || reached.exited || reached.error === 'States.DataLimitExceeded') return undefined;
  const Branches = state.Branches.map((branch, index) => {
    const last = execution.progress.last.get(`${name}#${index}`);
    const where = last && execution.progress.states.get(last);
    if (!where) return branch;
    const lastState = branch.States[last];
    if (where.exited && (lastState.End || lastState.Type === 'Succeed')) {
      const kept = `${REDRIVE_STAND_IN}${name}#${index} succeeded`;
      return { StartAt: kept, States: { [kept]: { Type: 'Pass', Result: where.output, End: true } } };
    }
    // Stopped between two states: the next one had not started.
    const [from, input] = where.exited && lastState.Next ? [lastState.Next, where.output] : [last, where.input];
    const resumed = resumeParallel(branch.States[from], from, execution);
    const start = `${REDRIVE_STAND_IN}${name}#${index} resumes at ${from}`;
    return { ...branch, StartAt: start, States: { ...branch.States, ...(resumed ? { [from]: resumed } : {}),
      [start]: { Type: 'Pass', Result: input, Next: from } } };
  });
  return { ...state, Branches };
}

export class StepFunctions {
  /**
   * @param {import('./template.mjs').Template} template
   * @param {object} options waitOverrides (state -> ms), retryOverrides (state -> ms),
   *   heartbeatOverrides and taskTimeoutOverrides (state -> ms, for HeartbeatSeconds and
   *   TimeoutSeconds),
   *   faults (state -> { error, times, after, task }): 'after' lets the call take effect first,
   *   like a write that commits and then answers 500; 'task' limits it to DynamoDB calls for the
   *   task ids that begin with it
   */
  constructor(template, { iam, dynamodb, sqs, lambda, waitOverrides = {}, retryOverrides = {}, heartbeatOverrides = {}, taskTimeoutOverrides = {}, faults = {}, apiFaults = {}, minimalEvents = false, expressReruns = 0, chaos = new Chaos() } = {}) {
    Object.assign(this, { template, iam, dynamodb, sqs, lambda, waitOverrides, retryOverrides, heartbeatOverrides, taskTimeoutOverrides, minimalEvents, expressReruns, chaos });
    /** The tokens of tasks that wait for a callback, open and closed. */
    this.tokens = new TaskTokens();
    /** Status change events chaos dropped: what no rule ever saw. */
    this.droppedEvents = [];
    this.apiFaults = Object.fromEntries(Object.entries(apiFaults).map(([op, fault]) => [op, { ...fault }]));
    this.faults = Object.fromEntries(Object.entries(faults).map(([state, fault]) => [state, { ...fault }]));
    this.machines = new Map();
    this.executions = new Map();
    this.listeners = [];
  }

  declare() {
    for (const { logicalId, properties } of this.template.resources('AWS::StepFunctions::StateMachine')) {
      const name = properties.StateMachineName ? this.template.resolve(properties.StateMachineName) : logicalId;
      const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      this.template.declare(logicalId, arn, { Name: name, Arn: arn });
      this.machines.set(arn, { logicalId, name, arn, properties });
    }
  }

  async start() {
    for (const machine of this.machines.values()) {
      machine.type = this.template.resolve(machine.properties.StateMachineType) ?? 'STANDARD';
      machine.definition = JSON.parse(this.template.resolve(machine.properties.DefinitionString));
      const roleArn = this.template.resolve(machine.properties.RoleArn);
      await this.iam.checkTrust(roleArn, 'states.amazonaws.com', `state machine ${machine.logicalId}`);
      machine.principal = this.iam.rolePrincipal(roleArn, machine.name);
      const { LoggingConfiguration: logging, TracingConfiguration: tracing } = this.template.resolve(machine.properties);
      if (logging?.Destinations?.length) {
        // CreateStateMachine checks the role may deliver logs (Step Functions developer guide,
        // "IAM policies for logging to CloudWatch Logs"); CloudFormation fails otherwise.
        await this.iam.authorizeAll(machine.principal, LOG_DELIVERY_ACTIONS.map((action) => ({ action, resource: '*' })))
          .catch((error) => { throw new Error(`state machine ${machine.logicalId}: The state machine IAM Role is not authorized to access the Log Destination (${error.message})`); });
      }
      machine.tracing = tracing?.Enabled === true;
      const encryption = this.template.resolve(machine.properties.EncryptionConfiguration);
      if (encryption?.Type === 'CUSTOMER_MANAGED_KMS_KEY') {
        machine.kmsKey = String(encryption.KmsKeyId).startsWith('arn:') ? encryption.KmsKeyId
          : `arn:aws:kms:${REGION}:${ACCOUNT}:key/${encryption.KmsKeyId}`;
      }
      if (machine.type === 'EXPRESS') {
        // "Express Workflows do not support Run a Job (.sync) or Wait for Callback
        // (.waitForTaskToken)" (developer guide, "Optimized integrations for Step Functions"):
        // creating such a state machine fails, so the stack would.
        const waiting = taskStates(machine.definition).find(([, state]) => WAIT_FOR_TASK_TOKEN.test(state.Resource));
        if (waiting) throw new Error(`state machine ${machine.logicalId}: the EXPRESS state ${waiting[0]} uses ${waiting[1].Resource}; Express workflows do not support .waitForTaskToken`);
      }
      machine.handlers = this.taskHandlers(machine);
      machine.interpreter = new StateMachine(machine.definition);
    }
  }

  /** Called with every execution status change event (EventBridge subscribes). */
  onStatusChange(listener) {
    this.listeners.push(listener);
  }

  taskHandlers(machine) {
    const handlers = {};
    for (const [name, state] of taskStates(machine.definition)) {
      const dynamo = DYNAMODB_TASK.exec(state.Resource);
      if (dynamo) {
        const action = dynamo[1][0].toUpperCase() + dynamo[1].slice(1);
        if (this.faults[name]?.error.startsWith('DynamoDB.')) {
          throw new Error(`--fault ${name}=${this.faults[name].error}: give DynamoDB's own error code`
            + ' (such as ThrottlingException or InternalServerError), which the local cloud names as'
            + ' Step Functions does');
        }
        handlers[name] = async (parameters) => {
          try {
            checkAttributeValues(name, parameters);
          } catch (error) {
            // A States.Runtime error: neither Retry nor Catch applies, the execution fails.
            throw new TaskError('States.Runtime', error.message, { retryable: false, catchable: false });
          }
          const call = async () => {
            await this.iam.authorizeAll(machine.principal, this.dynamodb.requests(action, parameters));
            return this.chaoticDynamoDb(action, parameters);
          };
          return this.withFaults(name, call, { dynamodb: parameters })
            .catch((error) => {
              if (error instanceof TaskError) throw error;
              throw new TaskError(stepFunctionsErrorName(error.code), error.message);
            });
        };
      } else if (SQS_SEND.test(state.Resource)) {
        const callback = WAIT_FOR_TASK_TOKEN.test(state.Resource);
        handlers[name] = async (parameters, task) => this.withFaults(name, async () => {
          // Opened before the message is sent, so that a worker answering at once finds it; the
          // task's end (an error below included) closes it.
          const answer = callback ? this.tokens.open({ token: task.context.Task.Token, heartbeatMs: task.heartbeatMs, signal: task.signal }) : undefined;
          let message;
          try {
            message = await this.sqs.sendAs(machine.principal, this.sqs.queueByUrl(parameters.QueueUrl), {
              body: typeof parameters.MessageBody === 'string' ? parameters.MessageBody : JSON.stringify(parameters.MessageBody),
              attributes: parameters.MessageAttributes,
            });
          } catch (error) {
            if (error instanceof TaskError || !error.code) throw error;
            throw new TaskError(sqsErrorName(error.code), error.message);
          }
          // The callback pattern: SendTaskSuccess's output is the task's result, SendTaskFailure's
          // error its error (developer guide, "Wait for a Callback with Task Token").
          return callback ? answer : { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
        });
      } else if (LAMBDA_INVOKE.test(state.Resource) || LAMBDA_FUNCTION.test(state.Resource)) {
        const optimized = LAMBDA_INVOKE.test(state.Resource);
        handlers[name] = async (parameters) => this.withFaults(name, () => this.invokeLambda(machine, optimized
          ? parameters : { FunctionName: state.Resource, Payload: parameters }, optimized));
      } else if (AWS_SDK.test(state.Resource)) {
        const [, service, action] = AWS_SDK.exec(state.Resource);
        if (!AWS_SDK_SERVICES[service]) {
          throw new Error(`state ${name}: the local cloud runs aws-sdk integrations with ${Object.keys(AWS_SDK_SERVICES).join(', ')}, not ${service}`);
        }
        handlers[name] = async (parameters) => this.withFaults(name, () => this.awsSdk(machine, service, action, parameters));
      } else {
        throw new Error(`state ${name}: the local cloud cannot run the Task resource ${state.Resource}; it runs DynamoDB`
          + ' (putItem, updateItem, getItem, deleteItem), SQS sendMessage, Lambda invoke and the aws-sdk integrations'
          + ` of ${Object.keys(AWS_SDK_SERVICES).join(', ')}`);
      }
    }
    return handlers;
  }

  /**
   * Lambda's Invoke for a task, as the state machine's role: the optimized integration
   * (lambda:invoke) answers { ExecutedVersion, Payload, StatusCode, SdkHttpMetadata... }, a bare
   * function ARN with the payload alone; a function error fails the task with the function's
   * errorType and its error as the cause (Step Functions developer guide, "Invoke Lambda").
   */
  async invokeLambda(machine, { FunctionName, Payload, Qualifier }, optimized) {
    const { invokedArn } = this.lambda.target(FunctionName, Qualifier);
    try {
      await this.iam.authorize(machine.principal, { action: 'lambda:InvokeFunction', resource: invokedArn });
    } catch (error) {
      throw new TaskError('Lambda.AWSLambdaException', error.message);
    }
    const result = await this.lambda.invoke(FunctionName, JSON.stringify(Payload ?? {}), { qualifier: Qualifier });
    if (result.functionError) {
      let errorType = 'Lambda.Unknown';
      try { errorType = JSON.parse(result.payload).errorType ?? errorType; } catch { /* not JSON */ }
      throw new TaskError(errorType, result.payload);
    }
    let payload;
    try { payload = JSON.parse(result.payload); } catch { payload = result.payload; }
    return optimized ? { ExecutedVersion: result.executedVersion, Payload: payload, StatusCode: 200 } : payload;
  }

  /**
   * An aws-sdk integration task, as the state machine's role: the API call with the Parameters as
   * its request and the response, with the SDK's member names, as its result; an error is named
   * <Service>.<Exception> (DynamoDb.ConditionalCheckFailedException, Sfn.ExecutionDoesNotExistException;
   * a modelled error whose code lacks the suffix gets it, as DynamoDB's InternalServerError is
   * DynamoDb.InternalServerErrorException), and one without an exception of its own
   * <Service>.<Service>Exception.
   */
  async awsSdk(machine, service, action, parameters) {
    const operation = action[0].toUpperCase() + action.slice(1);
    const prefix = AWS_SDK_SERVICES[service];
    const named = (error) => {
      if (error instanceof TaskError) return error;
      const code = String(error.code ?? '');
      const modelled = service === 'sfn' ? SFN_EXCEPTIONS.has(code)
        : (code.endsWith('Exception') && code !== 'AccessDeniedException') || (service === 'dynamodb' && sdkExceptionName(code) !== undefined);
      return new TaskError(`${prefix}.${modelled ? (code.endsWith('Exception') ? code : `${code}Exception`) : `${prefix}Exception`}`, error.message);
    };
    try {
      switch (service) {
        case 'dynamodb':
          await this.iam.authorizeAll(machine.principal, this.dynamodb.requests(operation, parameters));
          return await this.chaoticDynamoDb(operation, parameters);
        case 'sqs': {
          if (operation !== 'SendMessage') throw new AwsError('UnsupportedOperation', `sqs:${action} is not run locally`);
          const message = await this.sqs.sendAs(machine.principal, this.sqs.queueByUrl(parameters.QueueUrl), {
            body: parameters.MessageBody, attributes: parameters.MessageAttributes });
          return { MessageId: message.messageId, Md5OfMessageBody: message.md5OfBody };
        }
        case 'sfn': {
          const body = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), v]));
          await this.iam.authorizeAll(machine.principal, this.requests(operation, body));
          const answer = await this.operations()[operation]?.(body);
          if (answer === undefined) throw new AwsError('UnsupportedOperation', `sfn:${action} is not run locally`);
          return Object.fromEntries(Object.entries(answer).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v]));
        }
        default:
          throw new AwsError('UnsupportedOperation', `${service}:${action} is not run locally`);
      }
    } catch (error) {
      throw named(error);
    }
  }

  /**
   * A state machine's DynamoDB call, with chaos: throttled before it takes effect, or answered 500
   * after a write took effect (DynamoDB's own codes; Step Functions names them as it names them).
   */
  async chaoticDynamoDb(action, parameters) {
    if (this.chaos.happens('throttleDynamo')) {
      throw new AwsError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded (chaos)');
    }
    const answer = await this.dynamodb.call(action, parameters);
    if (/^(Put|Update|Delete)Item$/.test(action) && this.chaos.happens('commitThen500')) {
      throw new AwsError('InternalServerError', 'Internal server error (chaos: the write took effect)', 500);
    }
    return answer;
  }

  /**
   * Runs a task's call, or fails it as a fault says. A DynamoDB task's fault is DynamoDB's own
   * error code (ThrottlingException, InternalServerError...), answered as the service answers it
   * and named as Step Functions names it, so a test injects what AWS sends, not the name it hopes
   * for; other tasks' faults are the error name itself. `AnotherStart` is a collision, as when
   * two environments choose the same timestamp: another start's STARTED item appears under the
   * key just before the call, which then meets it as it would on AWS. A fault with a `task`
   * prefix fails only DynamoDB calls whose key's taskId begins with it, so that one cloud can
   * serve tests with and without the fault.
   */
  async withFaults(state, call, { dynamodb } = {}) {
    const fault = this.faults[state];
    if (!fault || fault.times <= 0 || !faultApplies(fault, dynamodb)) return call();
    fault.times -= 1;
    if (dynamodb && fault.error === 'AnotherStart') {
      const { taskId, timestamp } = dynamodb.Item ?? dynamodb.Key;
      await this.dynamodb.call('PutItem', { TableName: dynamodb.TableName, Item: {
        taskId, timestamp, Status: { S: 'STARTED' }, UpdatedAt: { S: new Date().toISOString() },
        ExecutionArn: { S: `arn:aws:states:${REGION}:${ACCOUNT}:execution:another:another-start-${randomUUID()}` },
      } });
      return call();
    }
    if (fault.after) await call();
    const message = `injected ${fault.error} for ${state}${fault.after ? ' after the call took effect' : ''}`;
    if (dynamodb) {
      throw new AwsError(fault.error, message, DYNAMODB_ERROR_STATUS[fault.error] ?? 400);
    }
    throw new TaskError(fault.error, message);
  }

  machine(arn) {
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  async startExecution({ stateMachineArn, name = randomUUID(), input = '{}' }, { sync = false } = {}) {
    checkStartRequest(name, input);
    const machine = this.machine(stateMachineArn);
    if (machine.kmsKey) {
      // The execution's data is encrypted with the key as its role: without that, it cannot start.
      await this.iam.authorizeAll(machine.principal, ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => this.keyRequest(machine, action)));
    }
    if (!NAME_CHARACTERS.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    let parsed;
    try { parsed = JSON.parse(input); } catch (e) { throw new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${e.message}'`); }
    // An Express execution's ARN has one more part than a Standard one's: arn:...:express:<machine>:<name>:<id>.
    const executionArn = machine.type === 'EXPRESS'
      ? `arn:aws:states:${REGION}:${ACCOUNT}:express:${machine.name}:${name}:${randomUUID()}`
      : `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing && machine.type === 'STANDARD') {
      // The service: same name and input while running returns the same execution; otherwise
      // the name is taken (Standard workflows keep names for 90 days).
      if (existing.input === input && existing.status === 'RUNNING') {
        return { executionArn, startDate: existing.startDate / 1000 };
      }
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution = { executionArn, stateMachineArn, name, input, status: 'RUNNING', startDate: Date.now(), transitions: [], retries: [], runs: 0, type: machine.type, redriveCount: 0 };
    this.executions.set(executionArn, execution);
    this.emit(execution);
    // Express executions run at least once (asynchronous StartExecution; StartSyncExecution is
    // at most once): with expressReruns, the first ones run a second time, as AWS may.
    const rerun = !sync && machine.type === 'EXPRESS' && (this.expressReruns > 0 || this.chaos.happens('expressReruns'));
    if (rerun && this.expressReruns > 0) this.expressReruns -= 1;
    execution.done = this.run(machine, execution, parsed)
      .then(() => (rerun && execution.status !== 'ABORTED' ? this.run(machine, execution, parsed) : undefined))
      .finally(() => {
        execution.stopDate ??= Date.now();
        this.emit(execution);
      });
    return { executionArn, startDate: execution.startDate / 1000 };
  }

  /**
   * StartSyncExecution as the API reference documents it: Express state machines only
   * (StateMachineTypeNotSupported otherwise); runs the execution to its end and answers 200 with
   * its status, SUCCEEDED, FAILED or TIMED_OUT, with error and cause when it failed and the output
   * only when it succeeded. (The service's host is sync-states.<region>.amazonaws.com; this one
   * endpoint serves it too.)
   */
  async startSyncExecution({ stateMachineArn, name, input }) {
    const machine = this.machine(stateMachineArn);
    if (machine.type !== 'EXPRESS') {
      throw new AwsError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
    }
    const { executionArn } = await this.startExecution({ stateMachineArn, name, input }, { sync: true });
    const execution = this.executions.get(executionArn);
    await execution.done;
    const billedMilliseconds = Math.max(100, Math.ceil((execution.stopDate - execution.startDate) / 100) * 100);
    return {
      executionArn, stateMachineArn, name: execution.name,
      startDate: execution.startDate / 1000, stopDate: execution.stopDate / 1000,
      status: execution.status, input: execution.input, inputDetails: { included: true },
      ...(execution.status === 'SUCCEEDED' ? { output: execution.output, outputDetails: { included: true } } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billedMilliseconds },
    };
  }

  /**
   * One run of an execution in the interpreter; settles its status, output, error and cause, and
   * remembers the last top-level state it entered, with that state's input, for a redrive.
   *
   * @param {{ name: string, input: object }} [from] the state to start from (a redrive), else StartAt
   */
  run(machine, execution, parsed, from) {
    execution.runs += 1;
    if (machine.tracing) {
      // Step Functions sends the execution's trace with the role's X-Ray permissions (developer
      // guide, "IAM policies for AWS X-Ray"); without them the trace is lost, the run goes on.
      this.iam.authorizeAll(machine.principal, XRAY_ACTIONS.map((action) => ({ action, resource: '*' })))
        .catch((error) => { execution.traceDropped = error.message; });
    }
    Object.assign(execution, { status: 'RUNNING', output: undefined, error: undefined, cause: undefined });
    let run;
    try {
      run = this.interpret(machine, execution, parsed, from);
    } catch (error) {
      // A fault of this emulator, not of the user's machine: the execution fails, the cloud goes on.
      console.error(`local Step Functions could not run ${execution.executionArn}: ${error.stack ?? error}`);
      Object.assign(execution, { status: 'FAILED', error: 'States.Runtime', cause: `The local interpreter failed: ${error.message}` });
      return Promise.resolve();
    }
    execution.abort = () => run.abort();
    (async () => {
      for await (const event of run.eventLogs) {
        // A state a redrive stands in for a branch that needs no rerun is no transition of the
        // user's machine (interpreterFrom).
        if (event.state?.name.startsWith(REDRIVE_STAND_IN)) continue;
        if (event.type === 'StateEntered') execution.transitions.push(event.state.name);
        if (event.type === 'StateRetried') execution.retries.push(event.state.name);
        recordProgress(machine, execution, event);
      }
    })().catch(() => {});
    // Each run's outcome, for inspection: an Express execution may run twice, each run its own way.
    // A token the run left open is closed: its task ended with the run.
    const settled = () => {
      this.tokens.closeExecution(execution.executionArn, 'CLOSED');
      (execution.outcomes ??= []).push({ status: execution.status, error: execution.error });
    };
    return run.result.then((output) => {
      Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) });
    }, (error) => {
      if (execution.status === 'ABORTED') return;
      const timedOut = error.name === 'ExecutionTimeoutError';
      const cause = error.cause ?? error;
      // A task's timeout, heartbeat timeout included, fails the execution with States.Timeout and
      // no cause ("States.Timeout: A Task state either ran longer than the TimeoutSeconds value,
      // or failed to send a heartbeat for a period longer than the HeartbeatSeconds value",
      // developer guide, "Handling errors"; AWS's ExecutionFailed event has no cause).
      const taskTimedOut = cause.name === 'States.Timeout' || cause.name === 'States.HeartbeatTimeout';
      Object.assign(execution, timedOut
        ? { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' }
        : taskTimedOut ? { status: 'FAILED', error: 'States.Timeout', cause: undefined }
          : { status: 'FAILED', error: cause.name, cause: cause.message });
    }).finally(settled);
  }

  /** The interpreter's run of an execution, from StartAt or (a redrive) from another state. */
  interpret(machine, execution, parsed, from) {
    const interpreter = from ? this.interpreterFrom(machine, execution, from.name) : machine.interpreter;
    return interpreter.run(from ? from.input : parsed, {
      overrides: {
        taskResourceLocalHandlers: machine.handlers, waitTimeOverrides: this.waitOverrides, retryIntervalOverrides: this.retryOverrides,
        heartbeatOverrides: this.heartbeatOverrides, taskTimeoutOverrides: this.taskTimeoutOverrides,
        // $$.Task.Token: a new token each time a Task state is entered (patches/aws-local-stepfunctions.mjs).
        taskToken: (state) => TaskTokens.mint(execution.executionArn, state),
      },
      context: {
        Execution: { Id: execution.executionArn, Name: execution.name, StartTime: new Date(execution.startDate).toISOString(), Input: parsed,
          RedriveCount: execution.redriveCount,
          ...(execution.redriveDate ? { RedriveTime: new Date(execution.redriveDate).toISOString() } : {}) },
        StateMachine: { Id: execution.stateMachineArn, Name: machine.name },
        // Evaluated when a path reads it, which is when the state is entered.
        State: { get EnteredTime() { return new Date().toISOString(); } },
      },
    });
  }

  /**
   * The machine's definition started at another state, for redrives. A Parallel that failed or
   * was aborted there runs again with only its failed or aborted branches, each from the state it
   * had reached, with that state's input; a branch that succeeded gives the output it gave
   * (developer guide, "Redrive behavior of individual states": the Parallel state "reschedules and
   * redrives only those branches that failed or aborted"; successful steps are not rerun), and
   * the same holds for a Parallel inside a branch. After States.DataLimitExceeded the Parallel
   * runs again whole, as the guide says.
   */
  interpreterFrom(machine, execution, state) {
    // The definition was validated when the machine was created; only where it starts differs,
    // and the validator would call the states before it unreachable.
    const options = { validationOptions: { noValidate: true } };
    const resumed = resumeParallel(machine.definition.States[state], state, execution);
    if (resumed) {
      return new StateMachine({ ...machine.definition, StartAt: state, States: { ...machine.definition.States, [state]: resumed } }, options);
    }
    machine.resumers ??= new Map();
    if (!machine.resumers.has(state)) machine.resumers.set(state, new StateMachine({ ...machine.definition, StartAt: state }, options));
    return machine.resumers.get(state);
  }

  /**
   * RedriveExecution as the API reference documents it: a Standard execution that FAILED, TIMED_OUT
   * or was ABORTED in the last 14 days continues from the unsuccessful step with the same input
   * and ARN; the successful states before it are not run again; $$.Execution.RedriveCount counts
   * the redrives. Status change events: PENDING_REDRIVE, RUNNING, then how the attempt ended.
   * ExecutionNotRedrivable otherwise. A Parallel that failed runs again with only its failed or
   * aborted branches, each from where it stood (interpreterFrom); an inline Map runs again whole
   * (not as AWS does: its successful iterations would not rerun there).
   */
  async redriveExecution({ executionArn }) {
    const execution = this.execution(executionArn);
    const notRedrivable = (reason) => new AwsError('ExecutionNotRedrivable', `Execution not redrivable: ${reason}`);
    if (execution.type !== 'STANDARD') throw notRedrivable('This API action is not supported by EXPRESS state machines');
    if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status)) {
      throw notRedrivable(`Execution is ${execution.status} and cannot be redriven`);
    }
    if (Date.now() - execution.stopDate > REDRIVABLE_MS) throw notRedrivable('Execution redrivable period exceeded');
    const machine = this.machine(execution.stateMachineArn);
    if (machine.kmsKey) {
      await this.iam.authorizeAll(machine.principal, ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => this.keyRequest(machine, action)));
    }
    // State names are unique in a definition: the last top-level one entered is where a redrive
    // resumes, with the input it had.
    const top = execution.progress?.last.get(ROOT_SCOPE);
    const resume = top ? { name: top, input: execution.progress.states.get(top).input }
      : { name: machine.definition.StartAt, input: JSON.parse(execution.input) };
    execution.redriveDate = Date.now();
    Object.assign(execution, { status: 'PENDING_REDRIVE', stopDate: undefined });
    this.emit(execution);
    execution.redriveCount += 1;
    const parsed = JSON.parse(execution.input);
    execution.done = Promise.resolve().then(() => {
      execution.status = 'RUNNING';
      this.emit(execution);
      return this.run(machine, execution, parsed, resume);
    }).finally(() => {
      execution.stopDate ??= Date.now();
      this.emit(execution);
    });
    return { redriveDate: execution.redriveDate / 1000 };
  }

  /**
   * StopExecution: the execution is ABORTED with the error and cause given, which DescribeExecution
   * answers; a task waiting for its token is closed, so a worker's SendTask* call gets TaskTimedOut.
   */
  stopExecution({ executionArn, error, cause }) {
    const execution = this.execution(executionArn);
    if (execution.status === 'RUNNING') {
      Object.assign(execution, { status: 'ABORTED', error, cause, stopDate: Date.now() });
      this.tokens.closeExecution(executionArn, 'ABORTED');
      execution.abort();
    }
    return { stopDate: execution.stopDate / 1000 };
  }

  execution(executionArn) {
    const execution = this.executions.get(executionArn);
    if (!execution) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  describe(execution) {
    return {
      executionArn: execution.executionArn, stateMachineArn: execution.stateMachineArn, name: execution.name,
      status: execution.status, startDate: execution.startDate / 1000,
      ...(execution.stopDate ? { stopDate: execution.stopDate / 1000 } : {}),
      input: execution.input,
      ...(execution.output !== undefined ? { output: execution.output } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
      ...this.redrive(execution),
    };
  }

  /** redriveCount, redriveStatus, redriveStatusReason and redriveDate, as DescribeExecution gives them. */
  redrive(execution) {
    const reason = execution.type !== 'STANDARD' ? undefined
      : execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE' ? 'Execution is RUNNING and cannot be redriven.'
        : execution.status === 'SUCCEEDED' ? 'Execution is SUCCEEDED and cannot be redriven.'
          : Date.now() - execution.stopDate > REDRIVABLE_MS ? 'Execution redrivable period exceeded.' : undefined;
    return {
      redriveCount: execution.redriveCount,
      redriveStatus: execution.type === 'STANDARD' && !reason ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
      ...(reason ? { redriveStatusReason: reason } : {}),
      ...(execution.redriveDate ? { redriveDate: execution.redriveDate / 1000 } : {}),
    };
  }

  /** The EventBridge event of a status change, as the Step Functions documentation shows it. */
  emit(execution) {
    if (execution.type !== 'STANDARD') return;
    // A workflow encrypted with a customer managed key sends events without its data (Step
    // Functions developer guide, "Data at rest encryption in Step Functions").
    const encrypted = Boolean(this.machines.get(execution.stateMachineArn)?.kmsKey);
    const event = {
      version: '0', id: randomUUID(), 'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states', account: ACCOUNT, time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      region: REGION, resources: [execution.executionArn],
      detail: {
        executionArn: execution.executionArn, stateMachineArn: execution.stateMachineArn,
        name: execution.name, status: execution.status, startDate: execution.startDate,
        stopDate: execution.stopDate ?? null, input: execution.input,
        output: execution.output ?? null, inputDetails: { included: true },
        outputDetails: execution.output !== undefined ? { included: true } : null,
        // The events documentation shows error and cause; EventBridge's schema registry does
        // not list them. With minimalEvents they are left out, as the schema has it.
        ...(this.minimalEvents ? {} : { error: execution.error ?? null, cause: execution.cause ?? null }),
        ...this.redrive(execution),
      },
    };
    if (encrypted) {
      for (const field of ['input', 'output', 'error', 'cause']) delete event.detail[field];
      event.detail.inputDetails = { included: false };
      event.detail.outputDetails = { included: false };
    }
    // Best effort: some events never arrive, some arrive late, out of order (chaos).
    if (this.chaos.happens('dropEvents')) {
      this.droppedEvents.push(event);
      return;
    }
    const deliver = () => { for (const listener of this.listeners) listener(event); };
    if (this.chaos.happens('lateEvents')) setTimeout(deliver, this.chaos.lateness());
    else deliver();
  }

  /** A use of a state machine's key, with the encryption context Step Functions gives KMS. */
  keyRequest(machine, action) {
    return { action, resource: machine.kmsKey, error: { code: 'KmsAccessDeniedException' },
      context: { 'kms:ViaService': `states.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT,
        'kms:EncryptionContext:aws:states:stateMachineArn': machine.arn } };
  }

  /**
   * What a Step Functions call asks IAM for (service authorization reference): the operation on
   * the state machine it starts or lists, or on the execution it reads or stops; for a call that
   * answers with an encrypted state machine's data, kms:Decrypt on its key too.
   */
  requests(operation, body) {
    if (TASK_TOKEN_OPERATIONS.has(operation)) {
      // The service authorization reference lists no resource type for these; Step Functions
      // authorizes them on the state machine of the token (iam.mjs, taskTokenRequest).
      return [{ action: `states:${operation}`, resource: TaskTokens.parse(body.taskToken).stateMachineArn }];
    }
    const resource = body.executionArn ?? body.stateMachineArn;
    if (!resource) throw new AwsError('ValidationException', `${operation} needs a stateMachineArn or an executionArn`);
    if (operation === 'RedriveExecution' && /:express:/.test(resource)) {
      throw new AwsError('ExecutionNotRedrivable', 'Execution not redrivable: This API action is not supported by EXPRESS state machines');
    }
    const requests = [{ action: `states:${operation}`, resource }];
    const machineArn = body.stateMachineArn ?? this.executions.get(body.executionArn)?.stateMachineArn;
    const machine = this.machines.get(machineArn);
    if (machine?.kmsKey && ['DescribeExecution', 'StartSyncExecution', 'GetExecutionHistory', 'DescribeStateMachine'].includes(operation)) {
      requests.push(this.keyRequest(machine, 'kms:Decrypt'));
    }
    return requests;
  }

  /** The API's operations, by name, taking the JSON request and answering the JSON response. */
  operations() {
    return {
      StartExecution: (body) => this.startExecution(body),
      StartSyncExecution: (body) => this.startSyncExecution(body),
      DescribeExecution: ({ executionArn }) => {
        const execution = this.execution(executionArn);
        if (execution.type === 'EXPRESS') {
          throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: express'`);
        }
        return this.describe(execution);
      },
      StopExecution: (body) => this.stopExecution(body),
      RedriveExecution: (body) => this.redriveExecution(body),
      SendTaskSuccess: (body) => this.tokens.sendTaskSuccess(body),
      SendTaskFailure: (body) => this.tokens.sendTaskFailure(body),
      SendTaskHeartbeat: (body) => this.tokens.sendTaskHeartbeat(body),
      ListExecutions: ({ stateMachineArn, statusFilter }) => ({
        executions: [...this.executions.values()]
          .filter((e) => e.stateMachineArn === stateMachineArn && (!statusFilter || e.status === statusFilter))
          .map((e) => ({ executionArn: e.executionArn, stateMachineArn, name: e.name, status: e.status, startDate: e.startDate / 1000 })),
      }),
    };
  }

  route() {
    const operations = this.operations();
    return {
      name: 'states',
      match: (req) => req.target.startsWith('AWSStepFunctions.'),
      authorize: (req) => this.requests(req.target.slice('AWSStepFunctions.'.length), req.json()),
      handle: async (req) => {
        const name = req.target.slice('AWSStepFunctions.'.length);
        const operation = operations[name];
        if (!operation) throw new AwsError('UnknownOperationException', `not supported locally: ${req.target}`);
        const fault = this.apiFaults[name];
        if (fault?.times > 0) {
          fault.times -= 1;
          throw new AwsError(fault.error, `injected ${fault.error} for ${name}`);
        }
        if (name === 'StartExecution' && this.chaos.happens('throttleStart')) {
          throw new AwsError('ThrottlingException', 'Rate exceeded (chaos)');
        }
        return json(await operation(req.json()));
      },
    };
  }
}
