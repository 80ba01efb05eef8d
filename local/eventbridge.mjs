// EventBridge: the default event bus, which receives the events AWS services send (Step Functions'
// status changes here), and the template's custom event buses (AWS::Events::EventBus); the
// template's rules (AWS::Events::Rule) on each bus (EventBusName, else the default bus: "Only the
// rules that are associated with this event bus are used to match the event", PutEventsRequestEntry)
// match events by their event pattern and deliver them to their targets (state machines and SQS
// queues) with the target's retry policy, then to its dead-letter queue. PutEvents puts an SDK
// caller's entries on a bus, answering FailedEntryCount and one result entry per request entry in
// order (API reference, PutEvents; user guide, "Sending events with PutEvents").
//
// IAM: a target starts its state machine as the target's role (RoleArn, which must trust
// events.amazonaws.com: EventBridge needs a role for a Step Functions target), authorized
// (iam.mjs) on every attempt; an SQS target and a target's dead-letter queue are sent to as
// events.amazonaws.com with the rule as aws:SourceArn, so the queue's policy (and its key's
// policy) must allow it (user guide, "Using resource-based policies for Amazon EventBridge",
// Amazon SQS permissions). A delivery refused for missing permissions is not retried: "for errors
// that result from missing permissions to a target ... no retry attempts will happen ...
// EventBridge sends these events directly to the target DLQ" (user guide, "Using dead-letter
// queues to process undelivered events"), or drops them without one. PutEvents asks for
// events:PutEvents on each entry's bus, with events:source and events:detail-type.
//
// Schedules: a rule with a rate() ScheduleExpression sends the documented "Scheduled Event" to its
// targets at that rate (--schedule-ms <Rule>=<ms> runs it more often, for tests); cron()
// expressions are refused at start-up.
//
// Not emulated: delivery is immediate and reliable here, where AWS documents Step Functions
// events as best effort; content filters beyond exact values, prefix, anything-but and exists;
// input transformers, targets other than state machines and SQS queues, FIFO queue targets'
// message group ids, a bus's customer managed key, partner event sources, archives and replays,
// cross-account buses and global endpoints (all refused at start-up where a template sets them).
import { randomUUID } from 'node:crypto';
import { AwsError } from './auth.mjs';
import { json } from './gateway.mjs';
import { Iam } from './iam.mjs';
import { ACCOUNT, REGION } from './template.mjs';

/** Whether an event matches an EventBridge event pattern. */
export function matches(pattern, event) {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = event?.[key];
    if (Array.isArray(expected)) return expected.some((rule) => matchesValue(rule, value));
    if (expected && typeof expected === 'object') return value && typeof value === 'object' && matches(expected, value);
    return false;
  });
}

function matchesValue(rule, value) {
  const values = Array.isArray(value) ? value : [value];
  if (rule === null || typeof rule !== 'object') return values.some((v) => v === rule);
  if ('prefix' in rule) return values.some((v) => typeof v === 'string' && v.startsWith(rule.prefix));
  if ('exists' in rule) return (value !== undefined) === rule.exists;
  if ('anything-but' in rule) {
    const excluded = [].concat(rule['anything-but']);
    return value !== undefined && values.every((v) => !excluded.includes(v));
  }
  return false;
}

/** The ARN of a bus, from the name or ARN a rule or an entry gives (none: the default bus). */
const busArn = (nameOrArn = 'default') => (String(nameOrArn).startsWith('arn:') ? String(nameOrArn)
  : `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${nameOrArn}`);

/** Errors of a delivery that EventBridge does not retry (missing permissions, a missing target). */
const NOT_RETRIED = new Set(['AccessDeniedException', 'KMS.AccessDeniedException', 'KmsAccessDeniedException',
  'QueueDoesNotExist', 'StateMachineDoesNotExist']);

/** An event's time as EventBridge writes it: RFC 3339, to the second. */
const eventTime = (date = new Date()) => date.toISOString().replace(/\.\d+Z$/, 'Z');

export class EventBridge {
  /**
   * @param {object} options failTargets: rule logical id (or its start) -> how many deliveries to fail, so
   *   tests can see retries and the dead-letter queue; retryDelayMs between attempts
   */
  constructor(template, { iam, stepFunctions, sqs, failTargets = {}, retryDelayMs = 100, scheduleOverrides = {} } = {}) {
    Object.assign(this, { template, iam, stepFunctions, sqs, retryDelayMs, scheduleOverrides });
    this.timers = [];
    this.failTargets = { ...failTargets };
    this.rules = [];
    this.deliveries = [];
    /** bus ARN -> { name, arn, logicalId } */
    this.buses = new Map([[busArn('default'), { name: 'default', arn: busArn('default') }]]);
    /** every event put on a bus, with the rules that matched it, for /_local/events */
    this.events = [];
  }

  declare() {
    for (const { logicalId, properties } of this.template.resources('AWS::Events::EventBus')) {
      const name = this.template.resolve(properties.Name);
      for (const unsupported of ['EventSourceName', 'KmsKeyIdentifier']) {
        if (properties[unsupported] !== undefined) {
          throw new Error(`event bus ${logicalId}: ${unsupported} is not emulated by the local cloud`);
        }
      }
      const arn = busArn(name);
      this.template.declare(logicalId, name, { Arn: arn, Name: name });
      this.buses.set(arn, { name, arn, logicalId, properties });
    }
    for (const { logicalId, properties } of this.template.resources('AWS::Events::Rule')) {
      const name = properties.Name ? this.template.resolve(properties.Name) : this.template.physicalName(logicalId, 64);
      this.rules.push({ logicalId, name, properties });
    }
    this.declareRuleArns();
  }

  /** The bus a name or ARN gives, or undefined. */
  bus(nameOrArn) {
    return this.buses.get(busArn(nameOrArn));
  }

  /** Rule ARNs name the bus, but for the default one (service authorization reference). */
  declareRuleArns() {
    for (const rule of this.rules) {
      const bus = this.bus(this.template.resolve(rule.properties.EventBusName) ?? 'default');
      if (!bus) throw new Error(`rule ${rule.logicalId}: its event bus ${this.template.resolve(rule.properties.EventBusName)} is not in the template`);
      rule.bus = bus;
      rule.arn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${bus.name === 'default' ? '' : `${bus.name}/`}${rule.name}`;
      this.template.declare(rule.logicalId, rule.name, { Arn: rule.arn });
    }
  }

  async start() {
    for (const bus of this.buses.values()) {
      const policy = bus.properties && this.template.resolve(bus.properties.Policy);
      if (policy) this.iam.addResourcePolicy(bus.arn, bus.logicalId, typeof policy === 'string' ? JSON.parse(policy) : policy);
    }
    for (const rule of this.rules) {
      const p = this.template.resolve(rule.properties);
      Object.assign(rule, { pattern: p.EventPattern ?? {}, enabled: (p.State ?? 'ENABLED') === 'ENABLED', targets: p.Targets ?? [] });
      if (typeof rule.pattern === 'string') rule.pattern = JSON.parse(rule.pattern);
      if (p.ScheduleExpression) rule.everyMs = this.scheduleMs(rule, p.ScheduleExpression);
      for (const target of rule.targets) {
        const what = `rule ${rule.logicalId} target ${target.Id}`;
        if (target.InputTransformer) throw new Error(`${what}: InputTransformer is not emulated by the local cloud`);
        if (/^arn:aws:sqs:/.test(target.Arn)) {
          if (target.SqsParameters) throw new Error(`${what}: SqsParameters (FIFO queues) are not emulated by the local cloud`);
          target.queue = this.sqs.queueByArn(target.Arn);
        } else if (!/^arn:aws:states:/.test(target.Arn)) {
          throw new Error(`${what}: the local EventBridge delivers to state machines and SQS queues, not ${target.Arn}`);
        }
        if (target.RoleArn) {
          await this.iam.checkTrust(target.RoleArn, 'events.amazonaws.com', what);
          target.principal = this.iam.rolePrincipal(target.RoleArn, `events-${rule.name}`.slice(0, 64));
        }
      }
    }
  }

  /** rate(N unit) in milliseconds, or the override for the rule. */
  scheduleMs(rule, expression) {
    const override = Object.entries(this.scheduleOverrides).find(([id]) => rule.logicalId.startsWith(id));
    if (override) return Number(override[1]);
    const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
    if (!rate) throw new Error(`rule ${rule.logicalId}: the local cloud runs rate() schedules, not ${expression}`);
    return Number(rate[1]) * { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[rate[2].replace(/s$/, '')];
  }

  /** Starts the scheduled rules' clocks; call once everything is ready to be called. */
  startSchedules() {
    for (const rule of this.rules.filter((r) => r.everyMs && r.enabled)) {
      this.timers.push(setInterval(() => {
        const event = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events',
          account: ACCOUNT, time: eventTime(), region: REGION, resources: [rule.arn], detail: {} };
        for (const target of rule.targets) this.deliver(rule, target, event);
      }, rule.everyMs));
    }
  }

  close() {
    this.timers.forEach(clearInterval);
  }

  /** Puts an event on a bus (the default one unless named): every enabled rule of it that matches delivers it. */
  put(event, bus = this.bus('default')) {
    const matched = this.rules.filter((rule) => rule.bus === bus && rule.enabled && !rule.everyMs && matches(rule.pattern, event));
    this.events.push({ bus: bus.name, busArn: bus.arn, event, rules: matched.map((r) => r.logicalId) });
    for (const rule of matched) {
      for (const target of rule.targets) this.deliver(rule, target, event);
    }
  }

  /**
   * PutEvents' entries, authorized already: each valid entry becomes an event on its bus
   * ({version, id, detail-type, source, account, time, region, resources, detail}, "Amazon
   * EventBridge events" in the user guide); each invalid one fails on its own. "Detail,
   * DetailType, and Source are required ... If you include event entries in a request that do
   * not include each of those properties, EventBridge fails that entry" (PutEventsRequestEntry).
   */
  putEntries(entries) {
    const results = entries.map((entry) => {
      const fail = (ErrorCode, ErrorMessage) => ({ ErrorCode, ErrorMessage });
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        return fail('InvalidArgument', 'Parameters Detail, DetailType, and Source are required.');
      }
      const bus = this.bus(entry.EventBusName ?? 'default');
      if (!bus) return fail('ResourceNotFoundException', `Event bus ${entry.EventBusName} does not exist.`);
      let detail;
      try { detail = JSON.parse(entry.Detail); } catch { detail = undefined; }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return fail('MalformedDetail', 'Detail is malformed.');
      // The aws. prefix is AWS services' own.
      if (String(entry.Source).startsWith('aws.')) {
        return fail('NotAuthorizedForSourceException', `Not authorized for the source ${entry.Source}.`);
      }
      const time = entry.Time === undefined ? new Date()
        : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : entry.Time);
      const event = { version: '0', id: randomUUID(), 'detail-type': entry.DetailType, source: entry.Source, account: ACCOUNT,
        time: eventTime(Number.isNaN(time.getTime()) ? new Date() : time), region: REGION, resources: entry.Resources ?? [], detail };
      this.put(event, bus);
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** What PutEvents asks IAM for: events:PutEvents on each entry's bus. */
  static putEventsRequests(entries = []) {
    return entries.map((entry) => ({
      action: 'events:PutEvents', resource: busArn(entry.EventBusName ?? 'default'),
      context: Object.fromEntries([['events:source', entry.Source], ['events:detail-type', entry.DetailType]].filter(([, v]) => typeof v === 'string')),
    }));
  }

  /** The gateway route of EventBridge's API: PutEvents. */
  route() {
    const validate = ({ Entries } = {}) => {
      if (!Array.isArray(Entries) || Entries.length < 1 || Entries.length > 10) {
        throw new AwsError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1`);
      }
      if (Entries.every((e) => !e.Source || !e.DetailType || e.Detail === undefined)) {
        throw new AwsError('ValidationException', 'Parameters Detail, DetailType, and Source are required.');
      }
      return Entries;
    };
    return {
      name: 'events',
      match: (req) => req.target.startsWith('AWSEvents.'),
      authorize: (req) => {
        if (req.target !== 'AWSEvents.PutEvents') return [];
        return EventBridge.putEventsRequests(validate(req.json()));
      },
      handle: async (req) => {
        if (req.target !== 'AWSEvents.PutEvents') throw new AwsError('UnknownOperationException', `not supported locally: ${req.target}`);
        return json(this.putEntries(validate(req.json())));
      },
    };
  }

  async deliver(rule, target, event) {
    const attempts = 1 + Number(target.RetryPolicy?.MaximumRetryAttempts ?? 185);
    const delivery = { rule: rule.logicalId, target: target.Arn, eventId: event.id, attempts: 0, status: 'PENDING' };
    this.deliveries.push(delivery);
    const events = Iam.servicePrincipal('events.amazonaws.com');
    const source = { 'aws:SourceArn': rule.arn, 'aws:SourceAccount': ACCOUNT };
    let lastError;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      delivery.attempts = attempt;
      try {
        const failing = Object.keys(this.failTargets).find((id) => rule.logicalId.startsWith(id));
        if (failing && this.failTargets[failing] > 0) {
          this.failTargets[failing] -= 1;
          throw new AwsError('ServiceUnavailable', 'injected target failure');
        }
        const input = target.Input ?? JSON.stringify(target.InputPath ? pick(event, target.InputPath) : event);
        if (target.queue) {
          const message = await this.sqs.sendAs(events, target.queue, { body: input }, source);
          Object.assign(delivery, { status: 'DELIVERED', messageId: message.messageId });
          return;
        }
        if (!target.principal) throw new AwsError('AccessDeniedException', `target ${target.Id} has no RoleArn: EventBridge needs a role to start a state machine`);
        await this.iam.authorize(target.principal, { action: 'states:StartExecution', resource: target.Arn });
        const started = await this.stepFunctions.startExecution({ stateMachineArn: target.Arn, input });
        Object.assign(delivery, { status: 'DELIVERED', executionArn: started.executionArn });
        return;
      } catch (error) {
        lastError = error;
        if (NOT_RETRIED.has(error.code)) break;
        if (attempt < attempts) await new Promise((r) => setTimeout(r, this.retryDelayMs));
      }
    }
    const dlq = target.DeadLetterConfig?.Arn;
    delivery.status = dlq ? 'SENT_TO_DEAD_LETTER_QUEUE' : 'DROPPED';
    delivery.error = `${lastError.code ?? 'Error'}: ${lastError.message}`;
    if (dlq) {
      await this.sqs.sendAs(events, this.sqs.queueByArn(dlq), {
        body: JSON.stringify(event),
        attributes: {
          RULE_ARN: { DataType: 'String', StringValue: rule.arn },
          TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
          ERROR_CODE: { DataType: 'String', StringValue: lastError.code ?? 'Error' },
          ERROR_MESSAGE: { DataType: 'String', StringValue: String(lastError.message).slice(0, 1024) },
        },
      }, source).catch((error) => {
        Object.assign(delivery, { status: 'DROPPED', deadLetterError: `${error.code}: ${error.message}` });
      });
    }
  }
}

function pick(event, jsonPath) {
  return jsonPath.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce((v, k) => v?.[k], event);
}
