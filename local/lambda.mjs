// Lambda: the template's functions, published versions and aliases; Invoke (synchronous and
// asynchronous, with the documented retries and the dead-letter queue); a pool of execution
// environments per version (lambda-environment.mjs); and SQS event source mappings that poll
// their queue, invoke with batches as the event source writes them, and honour
// batchItemFailures.
//
// IAM: Invoke is authorized for its caller (lambda:InvokeFunction on the ARN it names, qualified
// or not, with the function's resource policy from AWS::Lambda::Permission). A function runs as
// its role (which must trust lambda.amazonaws.com): its code's credentials are that role's, and
// its event source mappings (sqs:ReceiveMessage, DeleteMessage, GetQueueAttributes and the key)
// and dead-letter queue (sqs:SendMessage and the key) are authorized for it. A mapping that may
// not poll records the error and tries again; a dead letter that may not be sent is lost, as on
// AWS (the DeadLetterErrors metric).
//
// Not emulated: the arm64 architecture (the JVM is this machine's), memory limits beyond the
// heap size, reserved concurrency, provisioned concurrency and layers.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwsError } from './auth.mjs';
import { ExecutionEnvironment } from './lambda-environment.mjs';
import { Sqs } from './sqs.mjs';
import { ACCOUNT, REGION } from './template.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_RUNTIME_LIBS = path.join(here, 'target', 'lambda-runtime');
const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
const MAX_ASYNC_PAYLOAD = 256 * 1024;

/** A JDK for a Lambda Java runtime (java25 -> 25): one under /usr/lib/jvm, else JAVA_HOME. */
export function findJava(runtime) {
  const major = Number(/^java(\d+)/.exec(runtime)?.[1]);
  if (!major) throw new Error(`runtime ${runtime} is not a Java runtime; the local Lambda runs Java only`);
  const candidates = [];
  if (process.env[`JAVA_HOME_${major}`]) candidates.push(process.env[`JAVA_HOME_${major}`]);
  if (existsSync('/usr/lib/jvm')) {
    for (const dir of readdirSync('/usr/lib/jvm').sort()) {
      if (new RegExp(`(^|[^0-9])${major}([^0-9]|$)`).test(dir)) candidates.push(path.join('/usr/lib/jvm', dir));
    }
  }
  for (const home of candidates) {
    const java = path.join(home, 'bin', 'java');
    if (existsSync(java)) return { java, majorVersion: major, exact: true };
  }
  const home = process.env.JAVA_HOME;
  const java = home ? path.join(home, 'bin', 'java') : 'java';
  const version = execFileSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { java, majorVersion: major, exact: false, note: `no JDK ${major} found; running ${runtime} on ${java}` + version.slice(0, 0) };
}

export class Lambda {
  /**
   * @param {import('./template.mjs').Template} template
   * @param {object} options code (logical id, or its start, or '*' -> jar), assembly (cdk.out dir),
   *   asyncRetryDelaysMs ([first, second] retry delays; Lambda's are one and two minutes),
   *   runtimeLibs (the runtime interface client's jars: a directory of them, or a list of jars and
   *   directories)
   */
  constructor(template, { iam, credentials, sqs, code = {}, assembly, asyncRetryDelaysMs = [60_000, 120_000], runtimeLibs = DEFAULT_RUNTIME_LIBS, functionEnvironment = {} } = {}) {
    Object.assign(this, { template, iam, credentials, sqs, code, assembly, asyncRetryDelaysMs, runtimeLibs, functionEnvironment });
    this.functions = new Map();
    this.logs = [];
    this.invocations = [];
    this.asyncEvents = [];
    this.pollers = [];
    this.workDir = mkdtempSync(path.join(os.tmpdir(), 'local-lambda-'));
    this.environments = [];
  }

  /** Declares the functions, versions and aliases so expressions can name them. */
  declare() {
    for (const { logicalId, properties } of this.template.resources('AWS::Lambda::Function')) {
      const name = properties.FunctionName ? this.template.resolve(properties.FunctionName)
        : this.template.physicalName(logicalId, 64);
      const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      this.template.declare(logicalId, name, { Arn: arn });
      this.functions.set(name, { logicalId, name, arn, properties, versions: new Map([['$LATEST', {}]]), aliases: new Map(), idle: [] });
    }
    for (const { logicalId, properties } of this.template.resources('AWS::Lambda::Version')) {
      const fn = this.functionNamed(this.template.resolve(properties.FunctionName));
      const version = String(fn.versions.size);
      fn.versions.set(version, {});
      this.template.declare(logicalId, `${fn.arn}:${version}`, { Version: version, FunctionArn: fn.arn });
    }
    for (const { logicalId, properties } of this.template.resources('AWS::Lambda::Alias')) {
      const fn = this.functionNamed(this.template.resolve(properties.FunctionName));
      const name = this.template.resolve(properties.Name);
      fn.aliases.set(name, String(this.template.resolve(properties.FunctionVersion)));
      this.template.declare(logicalId, `${fn.arn}:${name}`, { AliasArn: `${fn.arn}:${name}` });
    }
  }

  /** Reads each function's configuration; call after every service declared its names. */
  async start({ gatewayEndpoint, onLog = () => {} }) {
    this.gatewayEndpoint = gatewayEndpoint;
    this.onLog = onLog;
    const runtimeJars = [].concat(this.runtimeLibs).flatMap((lib) => (lib.endsWith('.jar') ? [lib]
      : existsSync(lib) ? readdirSync(lib).filter((f) => f.endsWith('.jar')).map((f) => path.join(lib, f)) : []));
    for (const fn of this.functions.values()) {
      const p = this.template.resolve(fn.properties);
      Object.assign(fn, {
        runtime: p.Runtime, handler: p.Handler, memorySize: p.MemorySize ?? 128, timeout: p.Timeout ?? 3,
        // The template's variables, and any a test sets over them (--function-env).
        variables: { ...(p.Environment?.Variables ?? {}),
          ...Object.entries(this.functionEnvironment).filter(([id]) => fn.logicalId.startsWith(id)).reduce((all, [, vars]) => ({ ...all, ...vars }), {}) },
        snapStart: p.SnapStart?.ApplyOn === 'PublishedVersions',
        deadLetterTargetArn: p.DeadLetterConfig?.TargetArn,
        logFormat: p.LoggingConfig?.LogFormat,
        logLevel: p.LoggingConfig?.ApplicationLogLevel,
        logGroupName: p.LoggingConfig?.LogGroup ?? `/aws/lambda/${fn.name}`,
        tracing: p.TracingConfig?.Mode === 'Active',
        retryAttempts: 2,
        maximumEventAgeMs: 6 * 3600_000,
      });
      await this.iam.checkTrust(p.Role, 'lambda.amazonaws.com', `function ${fn.logicalId}`);
      fn.principal = this.iam.rolePrincipal(p.Role, fn.name);
      if (fn.tracing) {
        // Lambda refuses the function itself: "The provided execution role does not have
        // permissions to call PutTraceSegments on XRAY".
        await this.iam.authorizeAll(fn.principal, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => ({ action, resource: '*' })))
          .catch((error) => { throw new Error(`function ${fn.logicalId}: The provided execution role does not have permissions to call PutTraceSegments on XRAY (${error.message})`); });
      }
      const ric = runtimeJars.find((j) => path.basename(j).startsWith('aws-lambda-java-runtime-interface-client'));
      if (!ric) {
        throw new Error(`the Lambda runtime interface client is not in ${this.runtimeLibs}; build with 'mvn install' at the repository root`);
      }
      const java = findJava(fn.runtime);
      fn.runtimeContext = { ...java, classpath: runtimeJars.join(':'), jni: this.extractJni(ric, java.java) };
      fn.taskRoot = this.extractCode(fn);
    }
    for (const { properties } of this.template.resources('AWS::Lambda::EventInvokeConfig')) {
      const p = this.template.resolve(properties);
      const fn = this.functionNamed(p.FunctionName);
      if (p.MaximumRetryAttempts !== undefined) fn.retryAttempts = Number(p.MaximumRetryAttempts);
      if (p.MaximumEventAgeInSeconds !== undefined) fn.maximumEventAgeMs = 1000 * Number(p.MaximumEventAgeInSeconds);
      fn.onFailure = p.DestinationConfig?.OnFailure?.Destination;
    }
    for (const { properties } of this.template.resources('AWS::Lambda::EventSourceMapping')) {
      this.pollers.push(this.startPoller(this.template.resolve(properties)));
    }
  }

  functionNamed(nameOrArn) {
    const name = String(nameOrArn).replace(/^arn:aws:lambda:[^:]+:[^:]+:function:/, '').split(':')[0];
    const fn = this.functions.get(name);
    if (!fn) throw new AwsError('ResourceNotFoundException', `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`, 404);
    return fn;
  }

  /** The function and version a name, partial ARN, ARN or qualifier points at. */
  target(nameOrArn, qualifier) {
    const fn = this.functionNamed(nameOrArn);
    const tail = String(nameOrArn).replace(/^arn:aws:lambda:[^:]+:[^:]+:function:/, '').split(':')[1];
    const q = qualifier ?? tail ?? '$LATEST';
    const version = fn.aliases.get(q) ?? q;
    if (!fn.versions.has(version)) {
      throw new AwsError('ResourceNotFoundException', `Function not found: ${fn.arn}:${q}`, 404);
    }
    return { fn, version, invokedArn: q === '$LATEST' && !tail && !qualifier ? fn.arn : `${fn.arn}:${q}` };
  }

  extractJni(ricJar, java) {
    const arch = { x64: 'linux-x86_64', arm64: 'linux-aarch_64' }[process.arch];
    if (!arch) throw new Error(`the runtime interface client has no native library for ${process.arch}`);
    const dir = mkdtempSync(path.join(this.workDir, 'runtime-'));
    execFileSync(path.join(path.dirname(java), 'jar'), ['xf', ricJar, `jni/libaws-lambda-jni.${arch}.so`], { cwd: dir });
    return path.join(dir, 'jni', `libaws-lambda-jni.${arch}.so`);
  }

  /** Unpacks the function's jar into its task root, as Lambda unpacks a deployment package. */
  extractCode(fn) {
    const s3Key = fn.properties.Code?.S3Key;
    const own = Object.entries(this.code).find(([id]) => id !== '*' && fn.logicalId.startsWith(id));
    const jar = own?.[1] ?? this.code['*']
      ?? (this.assembly && s3Key ? path.join(this.assembly, `asset.${this.template.resolve(s3Key)}`) : undefined);
    if (!jar || !existsSync(jar)) {
      throw new Error(`no code for function ${fn.logicalId}: pass --code ${fn.logicalId}=<jar> or --assembly <cdk.out>`);
    }
    const root = mkdtempSync(path.join(this.workDir, 'task-'));
    execFileSync(path.join(path.dirname(fn.runtimeContext.java), 'jar'), ['xf', path.resolve(jar)], { cwd: root });
    return root;
  }

  /** An idle environment of this version, or a new one (a cold start). */
  async acquire(fn, version) {
    const idle = fn.idle.findIndex((e) => e.version === version && e.usable);
    if (idle >= 0) return fn.idle.splice(idle, 1)[0];
    const environment = new ExecutionEnvironment(fn, version, {
      credentials: this.credentials, gatewayEndpoint: this.gatewayEndpoint, runtime: fn.runtimeContext,
      onLog: (env, line) => {
        const entry = { at: Date.now(), function: fn.name, version, environment: env.id, line };
        this.logs.push(env.logsAllowed ? entry : { ...entry, dropped: true });
        if (env.logsAllowed) this.onLog(entry);
      },
    });
    // Lambda writes a function's logs with its role: without logs:CreateLogStream and
    // logs:PutLogEvents on its log group they are dropped (Lambda developer guide, "Sending
    // Lambda function logs to CloudWatch Logs"). Authorized once per environment, like its stream.
    environment.logsAllowed = await this.iam.authorizeAll(fn.principal, ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      action, resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${fn.logGroupName}:log-stream:local-${environment.id}`,
    }))).then(() => true, (error) => { environment.note('logs dropped', { error: error.message }); return false; });
    this.environments.push(environment);
    await environment.start();
    return environment;
  }

  release(fn, environment) {
    if (environment.usable) fn.idle.push(environment);
  }

  /** Invokes synchronously: { payload, functionError?, executedVersion }. */
  async invoke(nameOrArn, payload, { qualifier, requestId = randomUUID() } = {}) {
    const { fn, version, invokedArn } = this.target(nameOrArn, qualifier);
    const environment = await this.acquire(fn, version);
    let result;
    if (environment.initFailure) {
      result = { functionError: 'Unhandled', payload: environment.initFailure };
    } else {
      try {
        result = await environment.invoke(payload, requestId, invokedArn);
      } finally {
        this.release(fn, environment);
      }
    }
    const record = { requestId, function: fn.name, version, environment: environment.id, initType: environment.initType,
      payload, response: result.payload, functionError: result.functionError, at: Date.now() };
    this.invocations.push(record);
    return { ...result, executedVersion: version, requestId };
  }

  /**
   * Invokes asynchronously, as InvocationType Event does: queued, retried twice on a function
   * error (after one, then two minutes unless asyncRetryDelaysMs says otherwise), then sent to
   * the on-failure destination or the dead-letter queue with RequestID, ErrorCode and
   * ErrorMessage attributes. Never dropped silently.
   */
  invokeAsync(nameOrArn, payload, { qualifier } = {}) {
    const { fn } = this.target(nameOrArn, qualifier);
    const requestId = randomUUID();
    const event = { requestId, function: fn.name, attempts: [], status: 'QUEUED', payload };
    this.asyncEvents.push(event);
    (async () => {
      const attempts = 1 + fn.retryAttempts;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await new Promise((r) => setTimeout(r, this.asyncRetryDelaysMs[Math.min(attempt - 2, 1)]));
        const result = await this.invoke(nameOrArn, payload, { qualifier, requestId });
        event.attempts.push({ functionError: result.functionError, payload: result.payload });
        if (!result.functionError) { event.status = 'SUCCEEDED'; return; }
      }
      const last = event.attempts.at(-1);
      let message = last.payload;
      try { message = JSON.parse(last.payload).errorMessage ?? last.payload; } catch { /* raw */ }
      if (fn.onFailure) {
        event.status = 'SENT_TO_DESTINATION';
        await this.sqs.sendAs(fn.principal, this.sqs.queueByArn(fn.onFailure), { body: JSON.stringify({
          version: '1.0', timestamp: new Date().toISOString(),
          requestContext: { requestId, functionArn: `${fn.arn}:${qualifier ?? '$LATEST'}`, condition: 'RetriesExhausted', approximateInvokeCount: attempts },
          requestPayload: JSON.parse(payload), responseContext: { statusCode: 200, executedVersion: qualifier ?? '$LATEST', functionError: 'Unhandled' },
          responsePayload: JSON.parse(last.payload),
        }) });
      } else if (fn.deadLetterTargetArn) {
        event.status = 'SENT_TO_DEAD_LETTER_QUEUE';
        await this.sqs.sendAs(fn.principal, this.sqs.queueByArn(fn.deadLetterTargetArn), {
          body: payload,
          attributes: {
            RequestID: { DataType: 'String', StringValue: requestId },
            ErrorCode: { DataType: 'Number', StringValue: '200' },
            ErrorMessage: { DataType: 'String', StringValue: String(message).slice(0, 1024) },
          },
        });
      } else {
        event.status = 'DROPPED';
      }
    })().catch((error) => {
      // Lambda could not deliver the failed event: it is lost (DeadLetterErrors on AWS).
      Object.assign(event, { status: error.code ? 'DEAD_LETTER_ERROR' : 'ERROR', error: error.code ? `${error.code}: ${error.message}` : String(error) });
    });
    return requestId;
  }

  /**
   * An SQS event source mapping: up to MaximumConcurrency pollers, each receiving a batch,
   * invoking with it and deleting what succeeded, as Lambda's event source does.
   */
  startPoller(mapping) {
    const queue = this.sqs.queueByArn(mapping.EventSourceArn);
    const batchSize = Number(mapping.BatchSize ?? 10);
    const windowMs = 1000 * Number(mapping.MaximumBatchingWindowInSeconds ?? 0);
    const concurrency = Number(mapping.ScalingConfig?.MaximumConcurrency ?? 5);
    const reportsFailures = (mapping.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures');
    const fn = this.functionNamed(mapping.FunctionName);
    const poller = { stopped: false, batches: [], errors: [] };
    const loop = async () => {
      while (!poller.stopped) {
        try {
          await this.iam.authorizeAll(fn.principal, Sqs.consumeRequests(queue));
        } catch (error) {
          // Lambda keeps trying and reports the problem in the mapping's state.
          poller.errors.push(`${error.code}: ${error.message}`);
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        const batch = await this.sqs.receiveWaiting(queue, { max: Math.min(batchSize, 10) }, 200);
        if (poller.stopped) break;
        if (batch.length === 0) continue;
        const deadline = Date.now() + windowMs;
        while (batch.length < batchSize && Date.now() < deadline) {
          batch.push(...this.sqs.receive(queue, { max: Math.min(batchSize - batch.length, 10) }));
          if (batch.length < batchSize) await new Promise((r) => setTimeout(r, 20));
        }
        const event = JSON.stringify({ Records: batch.map((m) => ({
          messageId: m.messageId, receiptHandle: m.receipt, body: m.body,
          attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt),
            SenderId: ACCOUNT, ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt) },
          messageAttributes: {}, md5OfBody: m.md5OfBody, eventSource: 'aws:sqs',
          eventSourceARN: queue.arn, awsRegion: REGION,
        })) });
        const result = await this.invoke(mapping.FunctionName, event).catch((error) => ({ functionError: String(error) }));
        const failed = this.failedItems(result, batch, reportsFailures);
        poller.batches.push({ size: batch.length, failed: failed.length });
        for (const message of batch) {
          if (!failed.includes(message.messageId)) this.sqs.deleteMessage(queue, message.receipt);
        }
      }
    };
    poller.done = Promise.all(Array.from({ length: concurrency }, loop));
    return poller;
  }

  /** The messages of a batch that failed: all of them on a function error or a bad response. */
  failedItems(result, batch, reportsFailures) {
    const all = batch.map((m) => m.messageId);
    if (result.functionError) return all;
    if (!reportsFailures) return [];
    try {
      const response = JSON.parse(result.payload);
      const failures = response?.batchItemFailures ?? [];
      const ids = failures.map((f) => f.itemIdentifier);
      // Lambda treats the whole batch as failed for an empty, null or unknown identifier.
      if (ids.some((id) => typeof id !== 'string' || !all.includes(id))) return all;
      return ids;
    } catch {
      return all;
    }
  }

  route() {
    const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
    return {
      name: 'lambda',
      match: (req) => invocation.test(req.path),
      authorize: (req) => {
        const { invokedArn } = this.target(decodeURIComponent(invocation.exec(req.path)[1]), req.query.get('Qualifier') ?? undefined);
        return [{ action: 'lambda:InvokeFunction', resource: invokedArn, error: { code: 'AccessDeniedException', status: 403 } }];
      },
      handle: async (req) => {
        const name = decodeURIComponent(invocation.exec(req.path)[1]);
        const qualifier = req.query.get('Qualifier') ?? undefined;
        const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
        const payload = req.body.length ? req.text() : '{}';
        if (type === 'DryRun') {
          this.target(name, qualifier);
          return { status: 204, headers: {}, body: '' };
        }
        if (type === 'Event') {
          if (req.body.length > MAX_ASYNC_PAYLOAD) {
            throw new AwsError('RequestEntityTooLargeException', `Request must be smaller than ${MAX_ASYNC_PAYLOAD} bytes for the InvokeAsync operation`, 413);
          }
          this.invokeAsync(name, payload, { qualifier });
          return { status: 202, headers: {}, body: '' };
        }
        if (req.body.length > MAX_SYNC_PAYLOAD) {
          throw new AwsError('RequestEntityTooLargeException', `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the Invoke operation`, 413);
        }
        const result = await this.invoke(name, payload, { qualifier });
        return {
          status: 200,
          headers: { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': result.executedVersion,
            ...(result.functionError ? { 'X-Amz-Function-Error': result.functionError } : {}) },
          body: result.payload,
        };
      },
      error: (error) => ({
        status: error.status,
        headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.code },
        body: JSON.stringify({ Type: 'User', message: error.message }),
      }),
    };
  }

  async close() {
    for (const poller of this.pollers) poller.stopped = true;
    await Promise.all(this.pollers.map((p) => p.done.catch(() => {})));
    await Promise.all(this.environments.map((environment) => environment.kill()));
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
