// SQS, as its JSON protocol and documentation describe it: the template's queues (with their
// visibility timeout, retention and redrive policy), at-least-once delivery with a visibility
// timeout, receive counts, moving a message to the dead-letter queue once it has been received
// maxReceiveCount times, and StartMessageMoveTask to move dead letters back to their source.
//
// IAM: every call is authorized for its signer (iam.mjs), with the queue's policy; on a queue
// encrypted with a customer managed key, a sender also needs kms:GenerateDataKey and kms:Decrypt
// and a receiver kms:Decrypt on the key (SQS developer guide, "Key management"), with the key
// policy's say, evaluated with kms:ViaService and the aws:sqs:arn encryption context; a denied
// key use is KMS.AccessDeniedException. Services that send for themselves (an EventBridge
// dead-letter queue) or for a role (Lambda's dead-letter queue, a state machine task) are
// authorized the same way.
//
// Not emulated: FIFO queues, message timers beyond DelaySeconds, encryption (the key is checked,
// the body is stored as sent), and the distributed "approximate" behaviour of real queues
// (counts here are exact).
import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from './auth.mjs';
import { defaultError, json } from './gateway.mjs';
import { ACCOUNT, REGION } from './template.mjs';

const md5 = (text) => createHash('md5').update(text, 'utf8').digest('hex');
const MAX_MESSAGE_BYTES = 256 * 1024;

/** MD5 of message attributes as SQS computes it (name, type, value; each length-prefixed). */
function md5OfAttributes(attributes) {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const parts = [];
  const lengthPrefixed = (buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(buffer.length);
    parts.push(length, buffer);
  };
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(DataType, 'utf8'));
    if (StringValue !== undefined) {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(StringValue, 'utf8'));
    } else {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(BinaryValue, 'base64'));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

class Queue {
  constructor({ name, arn, url, visibilityTimeoutMs, retentionMs, redrive }) {
    Object.assign(this, { name, arn, url, visibilityTimeoutMs, retentionMs, redrive });
    this.messages = [];
    this.waiters = new Set();
  }

  visible(now) {
    return this.messages.filter((m) => m.visibleAt <= now);
  }

  notify() {
    for (const wake of this.waiters) wake();
  }
}

/** The error a Step Functions SQS task fails with for an SQS error code (SDK exception names). */
export function sqsErrorName(code) {
  const modelled = { 'KMS.AccessDeniedException': 'KmsAccessDeniedException', 'AWS.SimpleQueueService.NonExistentQueue': 'QueueDoesNotExistException',
    QueueDoesNotExist: 'QueueDoesNotExistException', InvalidParameterValue: 'InvalidParameterValueException' };
  return `SQS.${modelled[code] ?? 'AmazonSQSException'}`;
}

export class Sqs {
  /**
   * @param {import('./template.mjs').Template} template
   * @param {{ visibilityTimeoutMs?: number }} options visibilityTimeoutMs replaces every queue's
   *   visibility timeout, so tests need not wait minutes for a redelivery
   */
  constructor(template, { iam, visibilityTimeoutMs } = {}) {
    this.template = template;
    this.iam = iam;
    this.visibilityOverrideMs = visibilityTimeoutMs;
    this.queues = new Map();
    this.byLogicalId = new Map();
    this.moveTasks = [];
  }

  /** Creates the template's queues; call before anything resolves their names. */
  declare(endpoint) {
    this.endpoint = endpoint;
    const created = this.template.resources('AWS::SQS::Queue');
    for (const { logicalId, properties } of created) {
      const name = properties.QueueName ? this.template.resolve(properties.QueueName)
        : this.template.physicalName(logicalId, 80);
      const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
      const url = `${endpoint}/${ACCOUNT}/${name}`;
      this.template.declare(logicalId, url, { Arn: arn, QueueName: name, QueueUrl: url });
      const queue = new Queue({ name, arn, url, visibilityTimeoutMs: 30_000, retentionMs: 4 * 86400_000 });
      this.queues.set(name, queue);
      this.byLogicalId.set(logicalId, queue);
    }
    for (const { logicalId, properties } of created) {
      const queue = this.byLogicalId.get(logicalId);
      const resolved = this.template.resolve(properties);
      if (resolved.VisibilityTimeout !== undefined) queue.visibilityTimeoutMs = 1000 * Number(resolved.VisibilityTimeout);
      if (this.visibilityOverrideMs !== undefined) queue.visibilityTimeoutMs = this.visibilityOverrideMs;
      if (resolved.MessageRetentionPeriod !== undefined) queue.retentionMs = 1000 * Number(resolved.MessageRetentionPeriod);
      // A customer managed key (its ARN or id); 'alias/aws/sqs' is AWS's, usable by the account.
      const key = resolved.KmsMasterKeyId;
      if (key && !String(key).startsWith('alias/aws/')) {
        queue.kmsKey = String(key).startsWith('arn:') ? key : `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key}`;
      }
      if (resolved.RedrivePolicy) {
        queue.redrive = {
          deadLetterTargetArn: resolved.RedrivePolicy.deadLetterTargetArn,
          maxReceiveCount: Number(resolved.RedrivePolicy.maxReceiveCount),
        };
      }
    }
  }

  queueByArn(arn) {
    const queue = [...this.queues.values()].find((q) => q.arn === arn);
    if (!queue) throw new AwsError('QueueDoesNotExist', `The specified queue does not exist: ${arn}`);
    return queue;
  }

  queueByUrl(url) {
    const name = String(url ?? '').split('/').pop();
    const queue = this.queues.get(name);
    if (!queue) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  /**
   * The key uses an action needs on a queue: none unless a customer managed key encrypts it. A
   * service's request context (aws:SourceArn) goes on to KMS, which SQS calls on its behalf.
   */
  static keyRequests(queue, actions, context = {}) {
    if (!queue.kmsKey) return [];
    return actions.map((action) => ({
      action, resource: queue.kmsKey,
      context: { ...context, 'kms:ViaService': `sqs.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT, 'kms:EncryptionContext:aws:sqs:arn': queue.arn },
      error: { code: 'KMS.AccessDeniedException', message: 'The caller does not have the required KMS access' },
    }));
  }

  /** What sending to a queue asks IAM for. */
  static sendRequests(queue, context = {}) {
    return [{ action: 'sqs:SendMessage', resource: queue.arn, context },
      ...Sqs.keyRequests(queue, ['kms:GenerateDataKey', 'kms:Decrypt'], context)];
  }

  /** Receiving, deleting and reading the attributes of a queue, as a consumer does. */
  static consumeRequests(queue) {
    return [...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => ({ action, resource: queue.arn })),
      ...Sqs.keyRequests(queue, ['kms:Decrypt'])];
  }

  /** Sends for a principal (a role, or a service with its aws:SourceArn), once IAM allows it. */
  async sendAs(principal, queue, message, context = {}) {
    await this.iam.authorizeAll(principal, Sqs.sendRequests(queue, context));
    return this.send(queue, message);
  }

  /**
   * What an SQS call asks IAM for (service authorization reference; batch calls are their
   * single action; a message move task receives and deletes from its source and sends to its
   * destination with the caller's permissions, SQS developer guide, "Configuring queue
   * permissions for dead-letter queue redrive").
   */
  requests(operation, body) {
    const single = { SendMessageBatch: 'SendMessage', DeleteMessageBatch: 'DeleteMessage', ChangeMessageVisibilityBatch: 'ChangeMessageVisibility' };
    const action = `sqs:${single[operation] ?? operation}`;
    switch (operation) {
      case 'ListQueues': return [{ action, resource: '*' }];
      case 'GetQueueUrl': {
        const queue = this.queues.get(body.QueueName);
        return [{ action, resource: queue?.arn ?? `arn:aws:sqs:${REGION}:${ACCOUNT}:${body.QueueName}` }];
      }
      case 'StartMessageMoveTask': {
        const source = this.queueByArn(body.SourceArn);
        const destinations = body.DestinationArn ? [this.queueByArn(body.DestinationArn)]
          : [...this.queues.values()].filter((q) => q.redrive?.deadLetterTargetArn === source.arn);
        return [{ action, resource: source.arn }, ...Sqs.consumeRequests(source),
          ...destinations.flatMap((destination) => Sqs.sendRequests(destination))];
      }
      case 'ListMessageMoveTasks': return [{ action, resource: body.SourceArn }];
      case 'CancelMessageMoveTask': {
        const task = this.moveTasks.find((t) => t.TaskHandle === body.TaskHandle);
        return [{ action, resource: task?.SourceArn ?? '*' }];
      }
      default: {
        const queue = this.queueByUrl(body.QueueUrl);
        const keys = { SendMessage: ['kms:GenerateDataKey', 'kms:Decrypt'], ReceiveMessage: ['kms:Decrypt'] }[single[operation] ?? operation] ?? [];
        return [{ action, resource: queue.arn }, ...Sqs.keyRequests(queue, keys)];
      }
    }
  }

  /** Sends a message: from SendMessage, a Lambda dead-letter delivery, or a state machine. */
  send(queue, { body, attributes = {}, delaySeconds = 0, systemAttributes = {} }) {
    if (typeof body !== 'string' || body.length === 0) {
      throw new AwsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    }
    if (Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_BYTES) {
      throw new AwsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
    }
    const now = Date.now();
    const message = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      attributes,
      md5OfAttributes: md5OfAttributes(attributes),
      sentAt: now,
      visibleAt: now + 1000 * Number(delaySeconds),
      receiveCount: 0,
      firstReceivedAt: undefined,
      receipt: undefined,
      systemAttributes,
    };
    queue.messages.push(message);
    queue.notify();
    return message;
  }

  /**
   * Receives up to max visible messages, moving those received too often to the dead-letter
   * queue first, as SQS's redrive policy does.
   */
  receive(queue, { max = 1, visibilityTimeoutMs = queue.visibilityTimeoutMs } = {}) {
    const now = Date.now();
    queue.messages = queue.messages.filter((m) => now - m.sentAt < queue.retentionMs);
    const received = [];
    for (const message of queue.visible(now)) {
      if (received.length >= max) break;
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(queue, message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilityTimeoutMs;
      message.receipt = `${message.messageId}#${randomUUID()}`;
      received.push(message);
    }
    return received;
  }

  moveToDeadLetterQueue(queue, message) {
    const dlq = this.queueByArn(queue.redrive.deadLetterTargetArn);
    queue.messages = queue.messages.filter((m) => m !== message);
    Object.assign(message, { visibleAt: Date.now(), receipt: undefined });
    message.systemAttributes = { ...message.systemAttributes, DeadLetterQueueSourceArn: queue.arn };
    dlq.messages.push(message);
    dlq.notify();
  }

  /** Long polling: waits up to waitMs for a message to become visible. */
  async receiveWaiting(queue, options, waitMs) {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const received = this.receive(queue, options);
      if (received.length > 0 || Date.now() >= deadline) return received;
      const nextVisible = Math.min(...queue.messages.map((m) => m.visibleAt), deadline);
      await new Promise((resolve) => {
        const wake = () => { queue.waiters.delete(wake); clearTimeout(timer); resolve(); };
        const timer = setTimeout(wake, Math.max(5, nextVisible - Date.now()));
        queue.waiters.add(wake);
      });
    }
  }

  deleteMessage(queue, receipt) {
    const before = queue.messages.length;
    queue.messages = queue.messages.filter((m) => m.receipt !== receipt);
    if (queue.messages.length === before && !/#/.test(String(receipt))) {
      throw new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${receipt}" is not a valid receipt handle.`);
    }
  }

  changeVisibility(queue, receipt, seconds) {
    const message = queue.messages.find((m) => m.receipt === receipt);
    if (!message) throw new AwsError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
    message.visibleAt = Date.now() + 1000 * Number(seconds);
    if (Number(seconds) === 0) queue.notify();
  }

  /** A message as ReceiveMessage returns it. */
  static render(message, queue) {
    return {
      MessageId: message.messageId,
      ReceiptHandle: message.receipt,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      Attributes: {
        SenderId: ACCOUNT,
        SentTimestamp: String(message.sentAt),
        ApproximateReceiveCount: String(message.receiveCount),
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
        ...message.systemAttributes,
      },
      ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes, MessageAttributes: message.attributes } : {}),
      queueArn: queue.arn,
    };
  }

  attributes(queue) {
    const now = Date.now();
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(queue.visible(now).length),
      ApproximateNumberOfMessagesNotVisible: String(queue.messages.length - queue.visible(now).length),
      ApproximateNumberOfMessagesDelayed: '0',
      VisibilityTimeout: String(Math.round(queue.visibilityTimeoutMs / 1000)),
      MessageRetentionPeriod: String(Math.round(queue.retentionMs / 1000)),
      ...(queue.redrive ? { RedrivePolicy: JSON.stringify(queue.redrive) } : {}),
    };
  }

  /** Moves every message of a dead-letter queue back to its source queue (or a destination). */
  startMessageMoveTask({ SourceArn, DestinationArn }) {
    const source = this.queueByArn(SourceArn);
    const isDeadLetterQueue = [...this.queues.values()].some((q) => q.redrive?.deadLetterTargetArn === source.arn);
    if (!isDeadLetterQueue) {
      throw new AwsError('InvalidParameterValue', `Source queue must be configured as a Dead Letter Queue: ${SourceArn}`);
    }
    const moved = [...source.messages];
    source.messages = [];
    for (const message of moved) {
      const target = this.queueByArn(DestinationArn ?? message.systemAttributes.DeadLetterQueueSourceArn);
      const { DeadLetterQueueSourceArn, ...rest } = message.systemAttributes;
      Object.assign(message, { receiveCount: 0, visibleAt: Date.now(), receipt: undefined, systemAttributes: rest });
      target.messages.push(message);
      target.notify();
    }
    const task = { TaskHandle: randomUUID(), SourceArn, DestinationArn, Status: 'COMPLETED',
      ApproximateNumberOfMessagesMoved: moved.length, ApproximateNumberOfMessagesToMove: moved.length,
      StartedTimestamp: Date.now() };
    this.moveTasks.push(task);
    return { TaskHandle: task.TaskHandle };
  }

  route() {
    const operations = {
      GetQueueUrl: ({ QueueName }) => {
        const queue = this.queues.get(QueueName);
        if (!queue) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
        return { QueueUrl: queue.url };
      },
      ListQueues: ({ QueueNamePrefix = '' }) => ({
        QueueUrls: [...this.queues.values()].filter((q) => q.name.startsWith(QueueNamePrefix)).map((q) => q.url),
      }),
      GetQueueAttributes: ({ QueueUrl }) => ({ Attributes: this.attributes(this.queueByUrl(QueueUrl)) }),
      SendMessage: ({ QueueUrl, MessageBody, MessageAttributes, DelaySeconds }) => {
        const message = this.send(this.queueByUrl(QueueUrl), { body: MessageBody, attributes: MessageAttributes, delaySeconds: DelaySeconds ?? 0 });
        return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody,
          ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes } : {}) };
      },
      SendMessageBatch: ({ QueueUrl, Entries }) => {
        const queue = this.queueByUrl(QueueUrl);
        const Successful = [];
        const Failed = [];
        for (const entry of Entries) {
          try {
            const message = this.send(queue, { body: entry.MessageBody, attributes: entry.MessageAttributes, delaySeconds: entry.DelaySeconds ?? 0 });
            Successful.push({ Id: entry.Id, MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody });
          } catch (error) {
            Failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
          }
        }
        return { Successful, Failed };
      },
      ReceiveMessage: async ({ QueueUrl, MaxNumberOfMessages = 1, WaitTimeSeconds = 0, VisibilityTimeout }) => {
        const queue = this.queueByUrl(QueueUrl);
        const received = await this.receiveWaiting(queue, {
          max: Math.min(10, Number(MaxNumberOfMessages)),
          visibilityTimeoutMs: VisibilityTimeout === undefined ? queue.visibilityTimeoutMs : 1000 * Number(VisibilityTimeout),
        }, Math.min(20, Number(WaitTimeSeconds)) * 1000);
        return { Messages: received.map((m) => { const { queueArn, ...rest } = Sqs.render(m, queue); return rest; }) };
      },
      DeleteMessage: ({ QueueUrl, ReceiptHandle }) => { this.deleteMessage(this.queueByUrl(QueueUrl), ReceiptHandle); return {}; },
      DeleteMessageBatch: ({ QueueUrl, Entries }) => {
        const queue = this.queueByUrl(QueueUrl);
        Entries.forEach((e) => this.deleteMessage(queue, e.ReceiptHandle));
        return { Successful: Entries.map((e) => ({ Id: e.Id })), Failed: [] };
      },
      ChangeMessageVisibility: ({ QueueUrl, ReceiptHandle, VisibilityTimeout }) => {
        this.changeVisibility(this.queueByUrl(QueueUrl), ReceiptHandle, VisibilityTimeout);
        return {};
      },
      PurgeQueue: ({ QueueUrl }) => { this.queueByUrl(QueueUrl).messages = []; return {}; },
      StartMessageMoveTask: (request) => this.startMessageMoveTask(request),
      ListMessageMoveTasks: ({ SourceArn }) => ({ Results: this.moveTasks.filter((t) => t.SourceArn === SourceArn) }),
    };
    return {
      name: 'sqs',
      match: (req) => req.target.startsWith('AmazonSQS.'),
      authorize: (req) => this.requests(req.target.slice('AmazonSQS.'.length), req.json()),
      handle: async (req) => {
        const operation = operations[req.target.slice('AmazonSQS.'.length)];
        if (!operation) throw new AwsError('UnsupportedOperation', `not supported locally: ${req.target}`);
        return json(await operation(req.json()));
      },
      error: (error) => defaultError(error, 'com.amazonaws.sqs'),
    };
  }
}
