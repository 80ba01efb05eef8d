// One Lambda execution environment: a JVM running AWS's own runtime interface client
// (com.amazonaws:aws-lambda-java-runtime-interface-client) against a Runtime API served here,
// in the environment Lambda documents for the function's configuration.
//
// On demand, credentials are environment variables. Under SnapStart (a published version of a
// function with SnapStart on) the environment gets only AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN; the endpoint checks the token; the runtime runs the
// org.crac beforeCheckpoint hooks, asks for /runtime/restore/next, and this side then
// "restores": the credentials served before the snapshot are revoked and new ones served, as
// for an environment restored from a snapshot taken long before.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { CLOCK_VARIABLES } from './clock.mjs';
import { close, listen, readBody } from './gateway.mjs';
import { REGION } from './template.mjs';

const RUNTIME_API = '/2018-06-01/runtime';
const CREDENTIALS_PATH = '/2021-04-23/credentials';

let environmentCount = 0;

export class ExecutionEnvironment {
  /**
   * @param {object} fn the function (lambda.mjs)
   * @param {string} version the version it runs ($LATEST, 1, ...)
   * @param {object} context { credentials, gatewayEndpoint, runtime (java, classpath, jni), onLog }
   */
  constructor(fn, version, context) {
    this.id = ++environmentCount;
    this.fn = fn;
    this.version = version;
    this.context = context;
    this.snapStart = version !== '$LATEST' && fn.snapStart;
    this.initType = this.snapStart ? 'snap-start' : 'on-demand';
    this.lifecycle = [];
    this.waitingForNext = null;
    this.pending = null;
    this.busy = false;
    this.dead = false;
    this.stopping = false;
  }

  note(event, detail = {}) {
    this.lifecycle.push({ at: Date.now(), event, ...detail });
  }

  /** Starts the JVM and waits until it asks for its first invocation (its init is done). */
  async start() {
    this.server = http.createServer((req, res) => this.serve(req, res));
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 0;
    this.port = await listen(this.server);
    const env = this.environmentVariables();
    const { java, classpath, jni, majorVersion } = this.context.runtime;
    const memory = Number(this.fn.memorySize);
    const args = [
      `-XX:MaxHeapSize=${Math.floor(memory * 0.85)}m`, '-XX:+UseSerialGC',
      '-Djava.net.preferIPv4Stack=true',
      // As Lambda starts its Java runtimes: org.crac hooks go to the runtime's CRaC context.
      '-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac',
      `-Dcom.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI=${jni}`,
      ...(majorVersion >= 22 ? ['--enable-native-access=ALL-UNNAMED'] : []),
      '-cp', classpath,
      'com.amazonaws.services.lambda.runtime.api.client.AWSLambda', this.fn.handler,
    ];
    this.ready = new Promise((resolve, reject) => { this.readyCallbacks = { resolve, reject }; });
    this.process = spawn(java, args, { cwd: this.fn.taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.note('init', { initType: this.initType });
    const lines = (stream) => {
      let partial = '';
      stream.on('data', (chunk) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop();
        parts.filter((l) => l.trim()).forEach((line) => this.context.onLog(this, line));
      });
    };
    lines(this.process.stdout);
    lines(this.process.stderr);
    this.process.on('exit', (code, signal) => this.exited(code, signal));
    this.process.on('error', (error) => this.readyCallbacks.reject(error));
    await this.ready;
    return this;
  }

  environmentVariables() {
    const fn = this.fn;
    const env = {
      _HANDLER: fn.handler,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: this.version,
      AWS_LAMBDA_INITIALIZATION_TYPE: this.initType,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${this.port}`,
      LAMBDA_TASK_ROOT: fn.taskRoot,
      LAMBDA_RUNTIME_DIR: path.dirname(this.context.runtime.jni),
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      PATH: `${path.dirname(this.context.runtime.java)}:/usr/local/bin:/usr/bin:/bin`,
      ...(fn.logFormat ? { AWS_LAMBDA_LOG_FORMAT: fn.logFormat } : {}),
      ...(fn.logLevel ? { AWS_LAMBDA_LOG_LEVEL: fn.logLevel } : {}),
      ...(fn.tracing ? { AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR' } : {}),
      ...fn.variables,
      // The one variable Lambda does not set: where the AWS SDK finds the local services.
      AWS_ENDPOINT_URL: this.context.gatewayEndpoint,
      // Only under `cloud.mjs --clock` (tests past 2038): the function reads the same clock.
      ...Object.fromEntries(CLOCK_VARIABLES.filter((name) => process.env[name]).map((name) => [name, process.env[name]])),
    };
    if (this.snapStart) {
      this.token = randomUUID();
      this.served = this.context.credentials.issue(`${fn.name}:${this.version} environment ${this.id} (before the snapshot)`, { principal: fn.principal });
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${this.port}${CREDENTIALS_PATH}`;
      env.AWS_CONTAINER_AUTHORIZATION_TOKEN = this.token;
    } else {
      const credentials = this.context.credentials.issue(`${fn.name}:${this.version} environment ${this.id}`, { principal: fn.principal });
      Object.assign(env, {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
        AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
        AWS_LAMBDA_LOG_STREAM_NAME: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[${this.version}]local${this.id}`,
      });
    }
    return env;
  }

  async serve(req, res) {
    const body = await readBody(req);
    const url = req.url;
    const send = (status, payload, headers = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : (typeof payload === 'string' ? payload : JSON.stringify(payload)));
    };
    if (url === CREDENTIALS_PATH && req.method === 'GET') {
      if (!this.snapStart || req.headers.authorization !== this.token) {
        send(404, 'cannot get credentials for the provided token', { 'Content-Type': 'text/plain' });
        return;
      }
      this.note('credentials', { accessKeyId: this.served.accessKeyId });
      send(200, { AccessKeyId: this.served.accessKeyId, SecretAccessKey: this.served.secretAccessKey,
        Token: this.served.sessionToken, Expiration: this.served.expiration });
      return;
    }
    if (url === `${RUNTIME_API}/invocation/next` && req.method === 'GET') {
      this.waitingForNext = res;
      if (!this.initialised) {
        this.initialised = true;
        this.note('ready');
        this.readyCallbacks.resolve();
      }
      this.dispatch();
      return;
    }
    if (url === `${RUNTIME_API}/restore/next` && req.method === 'GET') {
      // The runtime ran the beforeCheckpoint hooks: the snapshot is taken now and restored
      // later, with credentials of its own. The ones served before no longer work.
      this.note('snapshot', { revoked: this.served?.accessKeyId });
      this.context.credentials.revoke(this.served.accessKeyId);
      this.served = this.context.credentials.issue(`${this.fn.name}:${this.version} environment ${this.id} (restored)`, { principal: this.fn.principal });
      this.note('restore', { accessKeyId: this.served.accessKeyId });
      send(200, '');
      return;
    }
    const invocation = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (invocation && req.method === 'POST') {
      const [, id, kind] = invocation;
      send(kind === 'error' ? 202 : 202, { status: 'OK' });
      if (this.pending?.requestId === id) {
        const pending = this.pending;
        this.pending = null;
        pending.resolve(kind === 'error'
          ? { functionError: 'Unhandled', payload: body.toString('utf8'), errorType: req.headers['lambda-runtime-function-error-type'] }
          : { payload: body.toString('utf8') });
      }
      return;
    }
    if ((url === `${RUNTIME_API}/init/error` || url === `${RUNTIME_API}/restore/error`) && req.method === 'POST') {
      this.initError = { payload: body.toString('utf8'), errorType: req.headers['lambda-runtime-function-error-type'] };
      this.note(url.endsWith('init/error') ? 'init-error' : 'restore-error', this.initError);
      send(202, { status: 'OK' });
      return;
    }
    send(404, { errorMessage: `unknown Runtime API call ${req.method} ${url}` });
  }

  /** Hands the pending invocation to the runtime if it is waiting for one. */
  dispatch() {
    if (!this.pending || !this.waitingForNext || this.pending.sent) return;
    const res = this.waitingForNext;
    this.waitingForNext = null;
    this.pending.sent = true;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': this.pending.requestId,
      'Lambda-Runtime-Deadline-Ms': String(this.pending.deadline),
      'Lambda-Runtime-Invoked-Function-Arn': this.pending.invokedArn,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Parent=${randomUUID().replace(/-/g, '').slice(0, 16)};Sampled=0`,
    });
    res.end(this.pending.payload);
  }

  /**
   * Runs one invocation; resolves { payload, functionError? } as Lambda's Invoke reports it.
   * An invocation that outlives the function's timeout ends the environment, as on Lambda.
   */
  invoke(payload, requestId, invokedArn) {
    this.busy = true;
    const deadline = Date.now() + 1000 * Number(this.fn.timeout);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (!this.pending) return;
        this.pending = null;
        this.note('timeout', { requestId });
        this.kill();
        resolve({ functionError: 'Unhandled', payload: JSON.stringify({
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${Number(this.fn.timeout).toFixed(2)} seconds`,
        }) });
      }, deadline - Date.now());
      this.pending = { requestId, payload, deadline, invokedArn,
        resolve: (result) => { clearTimeout(timer); this.busy = false; resolve(result); } };
      this.note('invoke', { requestId });
      this.dispatch();
    });
  }

  /** Whether it can take another invocation: not exited, not being stopped. */
  get usable() {
    return !this.dead && !this.stopping;
  }

  exited(code, signal) {
    this.dead = true;
    this.note('exit', { code, signal });
    if (!this.initialised) {
      const error = this.initError?.payload ?? JSON.stringify({ errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: init Error: Runtime exited with error: ${signal ?? `exit status ${code}`}` });
      this.readyCallbacks.resolve();
      this.initFailure = error;
    }
    if (this.pending) {
      const pending = this.pending;
      this.pending = null;
      pending.resolve({ functionError: 'Unhandled', payload: JSON.stringify({ errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited with error: ${signal ?? `exit status ${code}`}` }) });
    }
    close(this.server);
  }

  /** Ends the environment's JVM; resolves once it has exited. */
  kill() {
    this.stopping = true;
    if (this.dead || !this.process) return Promise.resolve();
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGKILL');
    return exited;
  }
}
