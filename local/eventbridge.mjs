// EventBridge's default bus, for the events AWS services send it: the template's rules
// (AWS::Events::Rule) match events by their event pattern and deliver them to their targets
// (state machines here) with the target's retry policy, then to its dead-letter queue.
//
// IAM: a target starts its state machine as the target's role (RoleArn, which must trust
// events.amazonaws.com: EventBridge needs a role for a Step Functions target), authorized
// (iam.mjs) on every attempt; a target's dead-letter queue is sent to as events.amazonaws.com
// with the rule as aws:SourceArn, so the queue's policy (and its key's policy) must allow it,
// or the event is dropped, as EventBridge drops it.
//
// Schedules: a rule with a rate() ScheduleExpression sends the documented "Scheduled Event" to its
// targets at that rate (--schedule-ms <Rule>=<ms> runs it more often, for tests); cron()
// expressions are refused at start-up.
//
// Not emulated: delivery is immediate and reliable here, where AWS documents Step Functions
// events as best effort; content filters beyond exact values, prefix, anything-but and exists;
// input transformers.
import { randomUUID } from 'node:crypto';
import { AwsError } from './auth.mjs';
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
  }

  declare() {
    for (const { logicalId, properties } of this.template.resources('AWS::Events::Rule')) {
      const name = properties.Name ? this.template.resolve(properties.Name) : this.template.physicalName(logicalId, 64);
      const arn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;
      this.template.declare(logicalId, name, { Arn: arn });
      this.rules.push({ logicalId, name, arn, properties });
    }
  }

  async start() {
    for (const rule of this.rules) {
      const p = this.template.resolve(rule.properties);
      Object.assign(rule, { pattern: p.EventPattern ?? {}, enabled: (p.State ?? 'ENABLED') === 'ENABLED', targets: p.Targets ?? [] });
      if (p.ScheduleExpression) rule.everyMs = this.scheduleMs(rule, p.ScheduleExpression);
      for (const target of rule.targets) {
        if (target.RoleArn) {
          await this.iam.checkTrust(target.RoleArn, 'events.amazonaws.com', `rule ${rule.logicalId} target ${target.Id}`);
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
          account: ACCOUNT, time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), region: REGION, resources: [rule.arn], detail: {} };
        for (const target of rule.targets) this.deliver(rule, target, event);
      }, rule.everyMs));
    }
  }

  close() {
    this.timers.forEach(clearInterval);
  }

  /** Puts an event on the default bus: every enabled rule that matches delivers it. */
  put(event) {
    for (const rule of this.rules) {
      if (rule.enabled && !rule.everyMs && matches(rule.pattern, event)) {
        for (const target of rule.targets) this.deliver(rule, target, event);
      }
    }
  }

  async deliver(rule, target, event) {
    const attempts = 1 + Number(target.RetryPolicy?.MaximumRetryAttempts ?? 185);
    const delivery = { rule: rule.logicalId, target: target.Arn, eventId: event.id, attempts: 0, status: 'PENDING' };
    this.deliveries.push(delivery);
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
        if (!target.Arn.includes(':states:')) throw new AwsError('NotSupported', `local EventBridge delivers to state machines only, not ${target.Arn}`);
        if (!target.principal) throw new AwsError('AccessDeniedException', `target ${target.Id} has no RoleArn: EventBridge needs a role to start a state machine`);
        await this.iam.authorize(target.principal, { action: 'states:StartExecution', resource: target.Arn });
        const started = await this.stepFunctions.startExecution({ stateMachineArn: target.Arn, input });
        Object.assign(delivery, { status: 'DELIVERED', executionArn: started.executionArn });
        return;
      } catch (error) {
        lastError = error;
        if (attempt < attempts) await new Promise((r) => setTimeout(r, this.retryDelayMs));
      }
    }
    const dlq = target.DeadLetterConfig?.Arn;
    delivery.status = dlq ? 'SENT_TO_DEAD_LETTER_QUEUE' : 'DROPPED';
    delivery.error = `${lastError.code ?? 'Error'}: ${lastError.message}`;
    if (dlq) {
      const events = Iam.servicePrincipal('events.amazonaws.com');
      await this.sqs.sendAs(events, this.sqs.queueByArn(dlq), {
        body: JSON.stringify(event),
        attributes: {
          RULE_ARN: { DataType: 'String', StringValue: rule.arn },
          TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
          ERROR_CODE: { DataType: 'String', StringValue: lastError.code ?? 'Error' },
          ERROR_MESSAGE: { DataType: 'String', StringValue: String(lastError.message).slice(0, 1024) },
        },
      }, { 'aws:SourceArn': rule.arn, 'aws:SourceAccount': ACCOUNT }).catch((error) => {
        Object.assign(delivery, { status: 'DROPPED', deadLetterError: `${error.code}: ${error.message}` });
      });
    }
  }
}

function pick(event, jsonPath) {
  return jsonPath.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce((v, k) => v?.[k], event);
}
