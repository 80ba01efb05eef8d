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
// Streams: a table whose template has a StreamSpecification has a DynamoDB stream (one shard),
// named `<table ARN>/stream/<label>` (`Fn::GetAtt Table.StreamArn`). Every write that changes an
// item, whichever path it takes (an SDK request through the gateway, a state machine's DynamoDB
// task, this module's `call`), appends the documented stream record (DynamoDB Streams API
// reference, "Record" and "StreamRecord"): INSERT, MODIFY or REMOVE, with the images the
// StreamViewType asks for. "If you perform a PutItem or UpdateItem operation that does not
// change any data in an item, DynamoDB Streams does not write a stream record for that
// operation" (developer guide, "Change data capture for DynamoDB Streams"); a failed (e.g.
// conditional) write writes none either. Writes to such a table are serialized per table (read
// the old images, write, read the new images), so "for each item that is modified ... the
// stream records appear in the same sequence as the actual modifications" holds. The DynamoDB
// Streams API (ListStreams, DescribeStream, GetShardIterator, GetRecords) serves the records to
// SDK callers; EventBridge Pipes (pipes.mjs) reads them directly.
//
// Not emulated: Time to Live never deletes expired items (DynamoDB deletes them within days
// anyway, so readers must filter; the client does), so no TTL stream records either; the
// 24-hour stream retention and shard splits (a stream has one shard that never closes); the
// limit of two readers per shard; capacity limits.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { AwsError } from './auth.mjs';
import { close, defaultError, json, listen } from './gateway.mjs';
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

/**
 * The exception an AWS SDK models for a DynamoDB error code, or undefined: what an aws-sdk
 * integration names an error after ("DynamoDb." plus the error name with the Exception suffix,
 * which Step Functions adds where the service's own name lacks it, developer guide, "AWS SDK
 * service integrations"): InternalServerError is DynamoDb.InternalServerErrorException.
 */
export function sdkExceptionName(code) {
  return MODELLED_EXCEPTIONS.get(code);
}

/**
 * The size DynamoDB gives an attribute value ("Item sizes and formats", developer guide): strings
 * and binaries by their bytes, a number by one byte per two significant digits plus one, a
 * Boolean or null one byte, a list or map 3 bytes plus one byte and the size of each element (a
 * map's with its name). A stream record's SizeBytes is that of its Keys and images: the Pipes
 * guide's sample INSERT (Keys {Id: 101}, NewImage {Message: "New item!", Id: 101}) has 26, its
 * MODIFY 59, as this gives.
 */
function valueSize(value) {
  const [type, v] = Object.entries(value)[0];
  switch (type) {
    case 'S': return Buffer.byteLength(v, 'utf8');
    case 'N': return Math.ceil(significantDigits(v).length / 2) + 1;
    case 'B': return Buffer.from(v, 'base64').length;
    case 'SS': return v.reduce((n, e) => n + Buffer.byteLength(e, 'utf8'), 0);
    case 'NS': return v.reduce((n, e) => n + Math.ceil(significantDigits(e).length / 2) + 1, 0);
    case 'BS': return v.reduce((n, e) => n + Buffer.from(e, 'base64').length, 0);
    case 'L': return 3 + v.reduce((n, e) => n + 1 + valueSize(e), 0);
    case 'M': return 3 + Object.entries(v).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueSize(e), 0);
    default: return 1;
  }
}

/** The size of an item (or a Keys map): each attribute's name and value. */
export function itemSize(item = {}) {
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name, 'utf8') + valueSize(value), 0);
}

/** A number's significant digits: no sign, no point, no leading or trailing zeros. */
function significantDigits(n) {
  return String(n).replace(/^[+-]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '') || '0';
}

/** A number as a value, whatever its spelling: "1.50", "1.5" and "15E-1" are one number. */
function canonicalNumber(n) {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(n).trim());
  if (!match) return String(n);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  let power = Number(exponent) - fraction.length;
  if (!digits) return '0';
  while (digits.endsWith('0')) { digits = digits.slice(0, -1); power += 1; }
  return `${sign === '-' ? '-' : ''}${digits}e${power}`;
}

/** An item in a form where equal items are equal strings: names sorted, sets sorted, numbers canonical. */
function canonical(value) {
  if (value === undefined) return undefined;
  const form = (v) => {
    const [type, x] = Object.entries(v)[0];
    switch (type) {
      case 'N': return { N: canonicalNumber(x) };
      case 'NS': return { NS: x.map(canonicalNumber).sort() };
      case 'SS': case 'BS': return { [type]: [...x].sort() };
      case 'L': return { L: x.map(form) };
      case 'M': return { M: Object.fromEntries(Object.keys(x).sort().map((k) => [k, form(x[k])])) };
      default: return v;
    }
  };
  return JSON.stringify(Object.fromEntries(Object.keys(value).sort().map((k) => [k, form(value[k])])));
}

/** A table's name from a request's TableName, which DynamoDB also accepts as the table's ARN. */
const tableNameOf = (name) => String(name ?? '').replace(/^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\//, '');

/** DynamoDB's stream of one table: its records (one shard), as GetRecords returns them. */
class Stream {
  constructor({ tableName, tableArn, label, viewType, keySchema }) {
    Object.assign(this, { tableName, tableArn, label, viewType, keySchema });
    this.arn = `${tableArn}/stream/${label}`;
    // A shard id the shape DynamoDB gives them: shardId-<20 digits>-<8 hex>.
    this.shardId = `shardId-${String(Date.now()).padStart(20, '0')}-${randomUUID().slice(0, 8)}`;
    this.records = [];
    this.waiters = new Set();
  }

  append(record) {
    this.records.push(record);
    for (const wake of this.waiters) wake();
  }

  /** Resolves once there is a record at index, or after ms. */
  waitFor(index, ms) {
    if (this.records.length > index) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => { this.waiters.delete(wake); clearTimeout(timer); resolve(); };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }
}

export class DynamoDb {
  /** @param {import('./template.mjs').Template} template */
  constructor(template) {
    this.template = template;
    this.server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    this.tables = new Map();
    /** table name -> the ARN of its customer managed key */
    this.keys = new Map();
    /** table name -> its key attributes' names */
    this.keySchemas = new Map();
    /** table name -> its Stream, for tables with a StreamSpecification */
    this.streams = new Map();
    /** table name -> the tail of its write queue (writes to a streamed table run one at a time) */
    this.locks = new Map();
    // Sequence numbers are strings of 21 to 40 digits (StreamRecord); these keep 21 digits, so
    // they increase as strings too.
    this.sequence = 100000000000000000000n;
  }

  async start() {
    this.port = await listen(this.server);
    this.endpoint = `http://127.0.0.1:${this.port}`;
    for (const { logicalId, properties } of this.template.resources('AWS::DynamoDB::Table')) {
      const name = properties.TableName ? this.template.resolve(properties.TableName)
        : this.template.physicalName(logicalId, 255);
      const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      this.keySchemas.set(name, properties.KeySchema.map((k) => this.template.resolve(k.AttributeName)));
      const viewType = this.template.resolve(properties.StreamSpecification)?.StreamViewType;
      if (viewType) {
        if (!['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'].includes(viewType)) {
          throw new Error(`table ${logicalId}: StreamViewType is KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES, not ${viewType}`);
        }
        // A stream's label is the time it was enabled, as DynamoDB names them (2019-11-14T00:04:06.388).
        const label = new Date().toISOString().replace(/Z$/, '');
        this.streams.set(name, new Stream({ tableName: name, tableArn: arn, label, viewType, keySchema: properties.KeySchema }));
      }
      this.template.declare(logicalId, name, { Arn: arn, StreamArn: this.streams.get(name)?.arn ?? `${arn}/stream/local` });
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
   * ValidationException); `stepFunctionsErrorName` gives the name a task fails with. A write to a
   * streamed table writes its stream records.
   */
  call(action, body) {
    return this.write(action, body, () => this.send(action, body));
  }

  /** Sends one request to dynalite as it is. */
  async send(action, body) {
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
      handle: (req) => this.write(req.target.slice('DynamoDB_20120810.'.length), req.json(), async () => {
        const response = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'Content-Type': req.headers['content-type'], 'X-Amz-Target': req.target,
            Authorization: req.headers.authorization, 'X-Amz-Date': req.headers['x-amz-date'] },
          body: req.body,
        });
        return { status: response.status, headers: { 'Content-Type': 'application/x-amz-json-1.0' },
          body: Buffer.from(await response.arrayBuffer()) };
      }, (answer) => answer.status === 200),
    };
  }

  /**
   * The items a write request may change in streamed tables, as { stream, key }: PutItem's item,
   * UpdateItem's and DeleteItem's key, each put and delete of BatchWriteItem, each Put, Update
   * and Delete of TransactWriteItems (a ConditionCheck writes nothing; dynalite itself answers
   * TransactWriteItems with UnknownOperationException, so no transaction writes anything here).
   */
  writtenItems(operation, body) {
    const items = [];
    const add = (table, key) => {
      const stream = this.streams.get(tableNameOf(table));
      if (!stream || !key || typeof key !== 'object') return;
      const names = this.keySchemas.get(stream.tableName);
      items.push({ stream, key: Object.fromEntries(names.filter((n) => key[n] !== undefined).map((n) => [n, key[n]])) });
    };
    switch (operation) {
      case 'PutItem': add(body.TableName, body.Item); break;
      case 'UpdateItem': case 'DeleteItem': add(body.TableName, body.Key); break;
      case 'BatchWriteItem':
        for (const [table, requests] of Object.entries(body.RequestItems ?? {})) {
          for (const request of Array.isArray(requests) ? requests : []) add(table, request.PutRequest?.Item ?? request.DeleteRequest?.Key);
        }
        break;
      case 'TransactWriteItems':
        for (const item of Array.isArray(body.TransactItems) ? body.TransactItems : []) {
          if (item.Put) add(item.Put.TableName, item.Put.Item);
          const keyed = item.Update ?? item.Delete;
          if (keyed) add(keyed.TableName, keyed.Key);
        }
        break;
      default: break;
    }
    return items;
  }

  /**
   * Runs a request (`perform`); if it is a write to streamed tables, with those tables' writes
   * queued behind one another, reading each item before and after, and appends a record for
   * each item the write changed. A write that failed (`succeeded` says so, or `perform` threw)
   * or changed nothing appends nothing.
   */
  async write(operation, body, perform, succeeded = () => true) {
    const items = this.writtenItems(operation, typeof body === 'function' ? body() : body);
    if (items.length === 0) return perform();
    // Tables are locked in name order, so two writes that span the same tables cannot deadlock.
    const tables = [...new Set(items.map((i) => i.stream.tableName))].sort();
    const releases = [];
    for (const table of tables) releases.push(await this.lock(table));
    try {
      let before;
      try {
        before = await Promise.all(items.map((i) => this.image(i)));
      } catch {
        // A key DynamoDB refuses: the write itself fails the same way and changes nothing.
        return await perform();
      }
      const answer = await perform();
      if (!succeeded(answer)) return answer;
      const after = await Promise.all(items.map((i) => this.image(i)));
      items.forEach((item, n) => this.record(item, before[n], after[n]));
      return answer;
    } finally {
      releases.forEach((release) => release());
    }
  }

  /** Waits for a table's earlier writes; resolves with the function that lets the next one go. */
  lock(table) {
    const previous = this.locks.get(table) ?? Promise.resolve();
    let release;
    const mine = new Promise((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    this.locks.set(table, tail);
    // Forget the queue once it is empty, so an idle table holds no chain of promises.
    tail.then(() => { if (this.locks.get(table) === tail) this.locks.delete(table); });
    return previous.then(() => release);
  }

  /** An item as it is now (strongly consistent), or undefined. */
  async image({ stream, key }) {
    const { Item } = await this.send('GetItem', { TableName: stream.tableName, Key: key, ConsistentRead: true });
    return Item;
  }

  /** Appends the stream record of a change, unless nothing changed. */
  record({ stream }, before, after) {
    if (canonical(before) === canonical(after)) return;
    const image = after ?? before;
    const keys = Object.fromEntries(this.keySchemas.get(stream.tableName).map((n) => [n, image[n]]));
    const view = stream.viewType;
    const newImage = after && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES') ? after : undefined;
    const oldImage = before && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES') ? before : undefined;
    this.sequence += 1n;
    stream.append({
      // Globally unique, as DynamoDB's are (32 hex digits).
      eventID: randomUUID().replace(/-/g, ''),
      eventName: !before ? 'INSERT' : after ? 'MODIFY' : 'REMOVE',
      // "Client applications must not assume that eventVersion will remain at a particular value"
      // (Record); DynamoDB Streams sends 1.1.
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: {
        // Epoch seconds, rounded down (StreamRecord).
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: keys,
        ...(newImage ? { NewImage: newImage } : {}),
        ...(oldImage ? { OldImage: oldImage } : {}),
        SequenceNumber: String(this.sequence),
        SizeBytes: itemSize(keys) + itemSize(newImage) + itemSize(oldImage),
        StreamViewType: view,
      },
    });
  }

  /** The stream with this ARN, or the error DynamoDB Streams answers. */
  stream(arn) {
    const stream = [...this.streams.values()].find((s) => s.arn === arn);
    if (!stream) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);
    return stream;
  }

  /** Every stream's records, for /_local/streams. */
  streamRecords() {
    return Object.fromEntries([...this.streams.values()].map((s) => [s.tableName,
      { streamArn: s.arn, streamViewType: s.viewType, shardId: s.shardId, records: s.records }]));
  }

  static encodeIterator(stream, index) {
    return Buffer.from(JSON.stringify({ arn: stream.arn, shard: stream.shardId, index })).toString('base64');
  }

  decodeIterator(iterator) {
    try {
      const { arn, shard, index } = JSON.parse(Buffer.from(String(iterator), 'base64').toString('utf8'));
      const stream = this.stream(arn);
      if (shard !== stream.shardId || !Number.isInteger(index)) throw new Error('not this shard');
      return { stream, index };
    } catch (error) {
      if (error instanceof AwsError) throw error;
      throw new AwsError('ValidationException', `Invalid ShardIterator: ${iterator}`);
    }
  }

  /**
   * What a DynamoDB Streams call asks IAM for (service authorization reference: ListStreams on
   * "*", the others on the stream); reading records of a table with a customer managed key also
   * asks for kms:Decrypt on it ("DynamoDB streams are always encrypted with a table-level
   * encryption key", developer guide, "DynamoDB encryption at rest: usage notes"; the Pipes
   * guide, "Custom encryption failures", names DynamoDB Streams among the sources whose key the
   * reader must be allowed to decrypt with).
   */
  streamRequests(operation, body) {
    if (operation === 'ListStreams') return [{ action: 'dynamodb:ListStreams', resource: '*' }];
    const stream = operation === 'GetRecords' ? this.decodeIterator(body.ShardIterator).stream : this.stream(body.StreamArn);
    const requests = [{ action: `dynamodb:${operation}`, resource: stream.arn }];
    if (operation === 'GetRecords') {
      requests.push(...this.requests('GetItem', { TableName: stream.tableName }).filter((r) => r.action === 'kms:Decrypt'));
    }
    return requests;
  }

  /** The records GetRecords answers from an iterator's position, and the next iterator. */
  getRecords({ ShardIterator, Limit = 1000 }) {
    const { stream, index } = this.decodeIterator(ShardIterator);
    if (!(Number(Limit) >= 1 && Number(Limit) <= 1000)) {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${Limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000`);
    }
    const records = stream.records.slice(index, index + Number(Limit));
    return { Records: records, NextShardIterator: DynamoDb.encodeIterator(stream, index + records.length) };
  }

  /** The gateway route of the DynamoDB Streams API: one shard per stream, never closed. */
  streamsRoute() {
    const describe = (stream) => ({
      StreamArn: stream.arn, StreamLabel: stream.label, StreamStatus: 'ENABLED', StreamViewType: stream.viewType,
      CreationRequestDateTime: Math.floor(Date.parse(`${stream.label}Z`) / 1000), TableName: stream.tableName, KeySchema: stream.keySchema,
      Shards: [{ ShardId: stream.shardId, SequenceNumberRange: { StartingSequenceNumber: stream.records[0]?.dynamodb.SequenceNumber ?? String(this.sequence + 1n) } }],
    });
    const operations = {
      ListStreams: ({ TableName }) => ({
        Streams: [...this.streams.values()].filter((s) => !TableName || s.tableName === tableNameOf(TableName))
          .map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: s.label })),
      }),
      DescribeStream: ({ StreamArn }) => ({ StreamDescription: describe(this.stream(StreamArn)) }),
      GetShardIterator: ({ StreamArn, ShardId, ShardIteratorType, SequenceNumber }) => {
        const stream = this.stream(StreamArn);
        if (ShardId !== stream.shardId) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Shard does not exist`);
        const at = stream.records.findIndex((r) => r.dynamodb.SequenceNumber === SequenceNumber);
        const index = { TRIM_HORIZON: 0, LATEST: stream.records.length, AT_SEQUENCE_NUMBER: at, AFTER_SEQUENCE_NUMBER: at < 0 ? -1 : at + 1 }[ShardIteratorType];
        if (index === undefined) throw new AwsError('ValidationException', `Invalid ShardIteratorType: ${ShardIteratorType}`);
        if (index < 0) throw new AwsError('ValidationException', `Invalid SequenceNumber ${SequenceNumber} for shard ${ShardId}`);
        return { ShardIterator: DynamoDb.encodeIterator(stream, index) };
      },
      GetRecords: (request) => this.getRecords(request),
    };
    return {
      name: 'dynamodbstreams',
      match: (req) => req.target.startsWith('DynamoDBStreams_20120810.'),
      authorize: (req) => this.streamRequests(req.target.slice('DynamoDBStreams_20120810.'.length), req.json()),
      error: (error) => defaultError(error, 'com.amazonaws.dynamodb.v20120810'),
      handle: async (req) => {
        const operation = operations[req.target.slice('DynamoDBStreams_20120810.'.length)];
        if (!operation) throw new AwsError('UnknownOperationException', `not supported locally: ${req.target}`);
        return json(operation(req.json()));
      },
    };
  }

  close() {
    return close(this.server);
  }
}
