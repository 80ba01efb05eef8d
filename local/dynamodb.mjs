// DynamoDB: dynalite (a DynamoDB-compatible server in Node.js, in memory) with the template's
// tables created from their definitions. Requests from SDKs reach it through the gateway after
// their signature is checked; the state machines' DynamoDB tasks call it directly.
//
// IAM: every request is authorized for its signer (iam.mjs). On a table encrypted with a customer
// managed key, the caller also needs kms:Decrypt on the key: "When you access an encrypted
// DynamoDB table, DynamoDB needs to decrypt the table key ... The user is the principal in your
// AWS account who is accessing the table" (KMS developer guide, "How Amazon DynamoDB uses AWS
// KMS"), with kms:ViaService and the table's encryption context; the table key itself DynamoDB
// makes with grants of its own.
//
// Not emulated: Time to Live never deletes expired items (DynamoDB deletes them within days
// anyway, so readers must filter; the client does), streams, and capacity limits.
import { createRequire } from 'node:module';
import { AwsError } from './auth.mjs';
import { close, defaultError, listen } from './gateway.mjs';
import { ACCOUNT, REGION } from './template.mjs';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

/**
 * Real DynamoDB rejects an S, N or B value that is not a JSON string (Step Functions reports
 * "The value for the field 'N' must be a STRING"); DynamoDB Local and dynalite are lenient.
 * This check makes the local cloud as strict as the service.
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
      problems.push("The value for the field 'BOOL' must be a BOOLEAN");
    }
  };
  for (const field of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey']) {
    Object.entries(parameters[field] ?? {}).forEach(([name, value]) => check(value, `${field}.${name}`));
  }
  if (problems.length > 0) {
    throw new AwsError('States.Runtime',
      `An error occurred while executing the state '${stateName}'. The Parameters `
      + `'${JSON.stringify(parameters)}' could not be used to start the Task: [${problems.join(', ')}]`);
  }
}

/**
 * The exceptions of the AWS SDK for Java (1.x) DynamoDB model, by the error code DynamoDB answers
 * with. Step Functions' optimized DynamoDB integration names an error `DynamoDB.` plus that
 * exception, and `DynamoDB.AmazonDynamoDBException` for a code without an exception of its own
 * (ValidationException, ThrottlingException, AccessDeniedException...): AWS's samples retry
 * `DynamoDB.AmazonDynamoDBException` for that reason. Two codes differ from their exception's name.
 */
const MODELLED_EXCEPTIONS = new Map([
  ...['ConditionalCheckFailedException', 'ProvisionedThroughputExceededException',
    'ResourceNotFoundException', 'ResourceInUseException', 'ItemCollectionSizeLimitExceededException',
    'LimitExceededException', 'TransactionCanceledException', 'TransactionConflictException',
    'TransactionInProgressException', 'IdempotentParameterMismatchException']
    .map((name) => [name, name]),
  ['RequestLimitExceeded', 'RequestLimitExceededException'],
  ['InternalServerError', 'InternalServerErrorException'],
]);

/** The HTTP status DynamoDB answers an error code with. */
export const DYNAMODB_ERROR_STATUS = { InternalServerError: 500, ServiceUnavailable: 503 };

/** The error name a Step Functions DynamoDB task fails with for a DynamoDB error code. */
export function stepFunctionsErrorName(code) {
  return `DynamoDB.${MODELLED_EXCEPTIONS.get(code) ?? 'AmazonDynamoDBException'}`;
}

export class DynamoDb {
  /** @param {import('./template.mjs').Template} template */
  constructor(template) {
    this.template = template;
    this.server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    this.tables = new Map();
    /** table name -> the ARN of its customer managed key */
    this.keys = new Map();
  }

  async start() {
    this.port = await listen(this.server);
    this.endpoint = `http://127.0.0.1:${this.port}`;
    for (const { logicalId, properties } of this.template.resources('AWS::DynamoDB::Table')) {
      const name = properties.TableName ? this.template.resolve(properties.TableName)
        : this.template.physicalName(logicalId, 255);
      const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      this.template.declare(logicalId, name, { Arn: arn, StreamArn: `${arn}/stream/local` });
      this.tables.set(logicalId, name);
      const sse = this.template.resolve(properties.SSESpecification);
      if (sse?.SSEEnabled && sse.KMSMasterKeyId && !String(sse.KMSMasterKeyId).startsWith('alias/aws/')) {
        this.keys.set(name, String(sse.KMSMasterKeyId).startsWith('arn:') ? sse.KMSMasterKeyId
          : `arn:aws:kms:${REGION}:${ACCOUNT}:key/${sse.KMSMasterKeyId}`);
      }
      const indexes = properties.GlobalSecondaryIndexes?.map((index) => ({
        IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection,
      }));
      await this.call('CreateTable', {
        TableName: name,
        KeySchema: properties.KeySchema,
        AttributeDefinitions: properties.AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
        ...(indexes ? { GlobalSecondaryIndexes: indexes } : {}),
      });
    }
  }

  /**
   * Calls the local DynamoDB; an error keeps DynamoDB's own code (`code`, e.g.
   * ValidationException); `stepFunctionsErrorName` gives the name a task fails with.
   */
  async call(action, body) {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `DynamoDB_20120810.${action}`,
        // dynalite checks that a signature is present; the gateway checked the real one.
        Authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=local`,
        'X-Amz-Date': '20260101T000000Z',
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : {};
    if (!response.ok) {
      const type = String(json.__type ?? 'UnknownError').split('#').pop();
      throw new AwsError(type, json.message ?? json.Message ?? type, response.status);
    }
    return json;
  }

  /** A table's ARN from the TableName a request gives (a name or, as DynamoDB accepts, an ARN). */
  static tableArn(name) {
    return String(name).startsWith('arn:') ? String(name) : `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
  }

  /**
   * What a DynamoDB call asks IAM for (service authorization reference): the operation on each
   * table it names, on the index for a Query or Scan of one, and for transactions the action of
   * each item's kind; then the table key's decryption for each table with a customer managed key.
   */
  requests(operation, body) {
    const requests = DynamoDb.tableRequests(operation, body);
    const tables = new Set(requests.map((r) => r.resource.replace(/\/index\/.*$/, '')));
    for (const arn of tables) {
      const name = arn.split(':table/')[1];
      const key = this.keys.get(name);
      if (!key) continue;
      requests.push({ action: 'kms:Decrypt', resource: key, error: { code: 'AccessDeniedException' },
        context: { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT,
          'kms:EncryptionContext:aws:dynamodb:tableName': name, 'kms:EncryptionContext:aws:dynamodb:subscriberId': ACCOUNT } });
    }
    return requests;
  }

  static tableRequests(operation, body) {
    const on = (action, table) => ({ action: `dynamodb:${action}`, resource: DynamoDb.tableArn(table) });
    switch (operation) {
      case 'ListTables': return [{ action: 'dynamodb:ListTables', resource: '*' }];
      case 'BatchGetItem':
      case 'BatchWriteItem':
        return Object.keys(body.RequestItems ?? {}).map((table) => on(operation, table));
      case 'TransactWriteItems':
      case 'TransactGetItems':
        return (body.TransactItems ?? []).map((item) => {
          const [kind, request] = Object.entries(item)[0];
          return on({ Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' }[kind], request.TableName);
        });
      default: {
        const request = on(operation, body.TableName);
        if (body.IndexName) request.resource += `/index/${body.IndexName}`;
        return [request];
      }
    }
  }

  /** The gateway route: signed DynamoDB requests, authorized, passed to dynalite as they came. */
  route() {
    return {
      name: 'dynamodb',
      match: (req) => req.target.startsWith('DynamoDB_20120810.'),
      authorize: (req) => this.requests(req.target.slice('DynamoDB_20120810.'.length), req.json()),
      error: (error) => defaultError(error, 'com.amazonaws.dynamodb.v20120810'),
      handle: async (req) => {
        const response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'Content-Type': req.headers['content-type'], 'X-Amz-Target': req.target,
            Authorization: req.headers.authorization, 'X-Amz-Date': req.headers['x-amz-date'] },
          body: req.body,
        });
        return { status: response.status, headers: { 'Content-Type': 'application/x-amz-json-1.0' },
          body: Buffer.from(await response.arrayBuffer()) };
      },
    };
  }

  close() {
    return close(this.server);
  }
}
