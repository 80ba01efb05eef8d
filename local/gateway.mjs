// One endpoint on 127.0.0.1 for every local service, as AWS_ENDPOINT_URL points SDKs and the
// AWS CLI at it. Each request is routed by what identifies its service: the X-Amz-Target header
// (JSON protocols), the path (Lambda's REST API) or the Action parameter (query protocols); its
// signature is checked (auth.mjs) and what it asks for is authorized for its signer (iam.mjs)
// before the service runs it.
import http from 'node:http';
import { AwsError, requestId } from './auth.mjs';

export function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });
}

export function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function close(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** A JSON-protocol answer. */
export const json = (payload, status = 200) => ({
  status, headers: { 'Content-Type': 'application/x-amz-json-1.0' }, body: JSON.stringify(payload ?? {}),
});

export class Gateway {
  /**
   * @param {import('./auth.mjs').Credentials} credentials
   * @param {import('./iam.mjs').Iam} iam
   */
  constructor(credentials, iam) {
    this.credentials = credentials;
    this.iam = iam;
    this.routes = [];
    this.server = http.createServer((request, response) => this.serve(request, response));
  }

  /**
   * Adds a service.
   * @param {{ name: string, match: (req) => boolean, handle: (req) => Promise<object>,
   *   authorize?: (req) => object[], error?: (error: AwsError) => object, unsigned?: boolean }} route
   *   `authorize` lists the IAM requests (iam.mjs) a call makes; a signed route without it
   *   serves the administrator only
   */
  route(route) {
    this.routes.push(route);
  }

  async start() {
    this.port = await listen(this.server);
    this.endpoint = `http://127.0.0.1:${this.port}`;
    return this.endpoint;
  }

  async serve(request, response) {
    const body = await readBody(request);
    const req = {
      method: request.method,
      url: request.url,
      path: new URL(request.url, 'http://local').pathname,
      query: new URL(request.url, 'http://local').searchParams,
      headers: request.headers,
      target: request.headers['x-amz-target'] ?? '',
      body,
      text: () => body.toString('utf8'),
      json: () => (body.length ? JSON.parse(body.toString('utf8')) : {}),
      form: () => new URLSearchParams(body.toString('utf8')),
    };
    const route = this.routes.find((r) => r.match(req));
    let result;
    try {
      if (!route) {
        throw new AwsError('UnknownOperationException', `no local service for ${request.method} ${request.url} (${req.target})`);
      }
      if (!route.unsigned) {
        req.signer = this.credentials.verify(request.method, request.url, request.headers, body);
        const principal = req.signer.principal;
        if (route.authorize) {
          await this.iam.authorizeAll(principal, await route.authorize(req));
        } else if (principal?.type !== 'admin') {
          throw new AwsError('AccessDeniedException', `${req.target || req.path}: the local cloud authorizes this call for the administrator only`);
        }
      }
      result = await route.handle(req);
    } catch (error) {
      const aws = error instanceof AwsError ? error
        : new AwsError('InternalFailure', error.stack ?? String(error), 500);
      result = (route?.error ?? defaultError)(aws);
    }
    const headers = { 'x-amzn-RequestId': requestId(), ...result.headers };
    const payload = Buffer.isBuffer(result.body) ? result.body : Buffer.from(result.body ?? '', 'utf8');
    headers['Content-Length'] = payload.length;
    response.writeHead(result.status ?? 200, headers);
    response.end(payload);
  }

  close() {
    return close(this.server);
  }
}

/** A JSON-protocol error, as Step Functions and SQS send them. */
export function defaultError(error, namespace = 'com.amazonaws.swf.service.v2.model') {
  return {
    status: error.status,
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-ErrorType': error.code },
    body: JSON.stringify({ __type: `${namespace}#${error.code}`, message: error.message }),
  };
}
