// Who may call the local services: access keys issued here, and Signature Version 4 checked on
// every request the way AWS checks it. A request signed with an unknown, revoked (stale) or
// mismatched key is refused with the error the real service returns, so code that signs with
// the wrong credentials fails here as it would on AWS.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { REGION } from './template.mjs';

/** An error as an AWS service reports it: a code, a message and an HTTP status. */
export class AwsError extends Error {
  constructor(code, message, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const hex = (buffer) => buffer.toString('hex');
const sha256 = (data) => createHash('sha256').update(data).digest();
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ */
function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class Credentials {
  constructor() {
    /** access key id -> { secretAccessKey, sessionToken, owner, revoked } */
    this.keys = new Map();
    /** every access key that signed a request, by service: { service, accessKeyId, owner } */
    this.signers = [];
  }

  /**
   * Issues credentials for an owner, e.g. "environment 3 (restored)": temporary ones (ASIA...,
   * with a session token) unless `temporary` is false. Requests signed with them act as
   * `principal` (iam.mjs), which the gateway authorizes.
   */
  issue(owner, { temporary = true, principal } = {}) {
    const accessKeyId = `${temporary ? 'ASIA' : 'AKIA'}LOCAL${randomBytes(6).toString('hex').toUpperCase()}`;
    const credentials = {
      accessKeyId,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: temporary ? randomBytes(32).toString('base64') : undefined,
      expiration: new Date(Date.now() + 6 * 3600 * 1000).toISOString(),
    };
    this.keys.set(accessKeyId, { ...credentials, owner, principal, revoked: false });
    return credentials;
  }

  /** The key no longer works, like credentials that expired while a snapshot waited. */
  revoke(accessKeyId) {
    const key = this.keys.get(accessKeyId);
    if (key) key.revoked = true;
  }

  /**
   * Checks a request's SigV4 signature.
   *
   * @returns {{ service: string, accessKeyId: string, principal: object }} who signed it
   * @throws {AwsError} as the service would answer
   */
  verify(method, rawUrl, headers, body) {
    const authorization = headers.authorization;
    if (!authorization) {
      throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    }
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/
      .exec(authorization.trim());
    if (!match) {
      throw new AwsError('IncompleteSignatureException', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature': ${authorization}`);
    }
    const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
    const key = this.keys.get(accessKeyId);
    if (!key || key.revoked) {
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (key.sessionToken && headers['x-amz-security-token'] !== key.sessionToken) {
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (region !== REGION) {
      throw new AwsError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'.`, 403);
    }
    const amzDate = headers['x-amz-date'];
    const url = new URL(rawUrl, 'http://local');
    const canonicalUri = url.pathname.split('/').map(uriEncode).join('/') || '/';
    const canonicalQuery = [...url.searchParams.entries()]
      .map(([k, v]) => [uriEncode(k), uriEncode(v)])
      .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : (a < b ? -1 : 1)))
      .map(([k, v]) => `${k}=${v}`).join('&');
    const names = signedHeaders.split(';');
    const canonicalHeaders = names.map((name) => `${name}:${String(headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const payloadHash = headers['x-amz-content-sha256'] && headers['x-amz-content-sha256'] !== 'UNSIGNED-PAYLOAD'
      ? headers['x-amz-content-sha256'] : hex(sha256(body));
    const canonicalRequest = [method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(sha256(canonicalRequest))].join('\n');
    const signingKey = ['aws4_request'].reduce((k, part) => hmac(k, part),
      [date, region, service].reduce((k, part) => hmac(k, part), `AWS4${key.secretAccessKey}`));
    if (hex(hmac(signingKey, stringToSign)) !== signature) {
      throw new AwsError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 403);
    }
    this.signers.push({ service, accessKeyId, owner: key.owner, principal: key.principal?.arn });
    return { service, accessKeyId, principal: key.principal };
  }
}

export const requestId = () => randomUUID();
