// EventBridge Pipes (AWS::Pipes::Pipe) from a DynamoDB stream, optionally filtered and enriched by
// an Express state machine, to an event bus, as the EventBridge user guide documents them:
//
// - Source ("Amazon DynamoDB stream as a source"): the pipe reads the table's stream (dynamodb.mjs)
//   from StartingPosition (TRIM_HORIZON or LATEST), in batches of up to BatchSize records, waiting
//   up to MaximumBatchingWindowInSeconds for a full batch, one batch at a time: "EventBridge Pipes
//   maintains the order of records from the data stream", so a record of an item is delivered
//   after the item's earlier records ("ordered per item"). Each record is the stream record with
//   the eventSourceARN the poller adds. Delivery is at least once ("The pipe will deliver the
//   stream records ... at least once"); with --chaos pipeDuplicates=<rate> a batch is delivered
//   a second time.
// - Filtering ("Event filtering in Amazon EventBridge Pipes"): FilterCriteria.Filters[].Pattern
//   are JSON event patterns; a record passes if it matches any of them, and one that matches none
//   is dropped (the iterator moves past it). A pattern that is not JSON, or that names a field
//   the guide says "can't be used in event patterns" (eventName, eventSourceARN, awsRegion...), is
//   refused at start-up: the guide names only the `dynamodb` field for DynamoDB records (the
//   Lambda guide says "DynamoDB event source mappings only support filtering on the dynamodb
//   key"), so a pipe that keeps INSERT and MODIFY records filters on the `dynamodb` field (a
//   NewImage attribute that exists), not on eventName.
// - Enrichment ("Event enrichment in Amazon EventBridge Pipes"): only an Express state machine
//   ("EventBridge Pipes only supports Express workflows as enrichments"), called with
//   StartSyncExecution; its input is the batch as a JSON array ("the entire JSON array is sent in
//   one request", "Amazon EventBridge Pipes batching and concurrency"); its output goes on to the
//   target: an array is one event per element, an empty response ("", {} or []) invokes no
//   target, any other value is one event. A Standard state machine as enrichment stops the pipe
//   with a StateReason, as the guide says AWS does ("Pipe failure states").
// - Target ("EventBridge event bus target specifics"): an event bus of the template (or the
//   default one); each event becomes one PutEvents entry whose detail is the event, with
//   TargetParameters.EventBridgeEventBusParameters' Source and DetailType (each a value or a
//   dynamic JSON path such as $.detail.kind), Resources and Time. An event bus takes batches of
//   at most 10 events, so BatchSize is at most 10 and a larger enrichment output is not sent
//   ("if the array is larger than the batch size supported by the target, the pipe won't invoke
//   the target"; it fails like an invocation). The guide documents no default Source or
//   DetailType, so both are required here.
// - Errors ("Amazon EventBridge Pipes error handling and troubleshooting"): an enrichment that
//   fails (an execution that does not succeed), a denied call and an entry the bus refuses are
//   customer invocation errors: the batch is retried (through the enrichment again) up to
//   MaximumRetryAttempts times (-1, the default, is forever) or until its oldest record is older
//   than MaximumRecordAgeInSeconds, then its description goes to the DeadLetterConfig queue and
//   the pipe goes on. With OnPartialBatchItemFailure AUTOMATIC_BISECT a failed batch is halved
//   and each half processed in turn ("Halve each batch and retry each half until all the records
//   are processed or there is one failed message remaining in the batch"), the halving counting
//   no retry. The dead letter is the record Lambda documents for a stream source's on-failure
//   destination ("Retaining discarded records for a DynamoDB event source", the Lambda guide:
//   requestContext with the condition and approximateInvokeCount, DDBStreamBatchInfo with the
//   shard and sequence numbers, not the records themselves); the Pipes guide shows none of its own.
// - IAM: the pipe acts as its RoleArn, which must trust pipes.amazonaws.com (with the pipe as
//   aws:SourceArn and the account as aws:SourceAccount); every call is authorized for it: the
//   stream's dynamodb:ListStreams, DescribeStream and GetShardIterator when it starts (denied: the
//   pipe does not run, CREATE_FAILED with the reason), dynamodb:GetRecords for each batch (and
//   kms:Decrypt for a table with a customer managed key: "Custom encryption failures"),
//   states:StartSyncExecution on the enrichment, events:PutEvents on the bus, sqs:SendMessage on
//   the dead-letter queue ("Event source permissions for Amazon EventBridge Pipes").
// - DesiredState STOPPED: the pipe never polls.
//
// Not emulated (refused at start-up where a template sets them): sources other than DynamoDB
// streams, enrichments other than state machines, targets other than event buses, input
// templates (InputTemplate), the pipe's own KmsKeyIdentifier, SNS dead-letter topics, a target's
// EndpointId. ParallelizationFactor is accepted and batches run one at a time (which keeps every
// order the documented one does); LogConfiguration is accepted and nothing is logged. Retries
// wait --pipe-retry-ms (default 1000 ms) instead of backing off exponentially.
import { randomUUID } from 'node:crypto';
import { AwsError } from './auth.mjs';
import { DynamoDb } from './dynamodb.mjs';
import { EventBridge, matches } from './eventbridge.mjs';
import { ACCOUNT, REGION } from './template.mjs';

/** The fields of a source record that "can't be used in event patterns" (Pipes user guide, filtering). */
const UNFILTERABLE = ['awsRegion', 'eventSource', 'eventSourceARN', 'eventVersion', 'eventID', 'eventName', 'invokeIdentityArn', 'eventSourceKey'];
/** The most events one PutEvents takes from a pipe ("Supported batchable targets": event bus, 10). */
const EVENT_BUS_BATCH = 10;

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * A target parameter's value for one event: the value itself, or, for a dynamic path ("The
 * entire value has to be a JSON path"), what the path names in the event (dot notation and array
 * indices, as the guide lists them).
 */
function parameter(value, event) {
  if (typeof value !== 'string' || !value.startsWith('$.')) return value;
  const steps = value.slice(2).split('.').flatMap((step) => {
    const [name, ...indices] = step.split(/\[|\]/).filter((part) => part !== '');
    return [name, ...indices.map(Number)];
  });
  const found = steps.reduce((v, step) => (v === undefined || v === null ? undefined : v[step]), event);
  return found === undefined || typeof found === 'string' ? found : JSON.stringify(found);
}

/** An error of an invocation the pipe makes (enrichment, target), as the pipe retries it. */
class InvocationError extends AwsError {}

export class Pipes {
  /**
   * @param {object} options retryDelayMs between attempts of a batch; pollMs, the longest a pipe
   *   waits before it looks at its stream again (EventBridge polls four times a second)
   */
  constructor(template, { iam, dynamodb, stepFunctions, eventBridge, sqs, chaos, retryDelayMs = 1000, pollMs = 250 } = {}) {
    Object.assign(this, { template, iam, dynamodb, stepFunctions, eventBridge, sqs, chaos, retryDelayMs, pollMs });
    this.pipes = [];
    this.closed = false;
  }

  declare() {
    for (const { logicalId, properties } of this.template.resources('AWS::Pipes::Pipe')) {
      const name = properties.Name ? this.template.resolve(properties.Name) : this.template.physicalName(logicalId, 64);
      const arn = `arn:aws:pipes:${REGION}:${ACCOUNT}:pipe/${name}`;
      this.template.declare(logicalId, name, { Arn: arn });
      this.pipes.push({ logicalId, name, arn, properties, state: 'CREATING', executions: [], deadLetters: [] });
    }
  }

  /** Reads each pipe as CreatePipe would, refusing what the local cloud does not run. */
  async start() {
    for (const pipe of this.pipes) {
      const p = this.template.resolve(pipe.properties);
      const refuse = (why) => { throw new Error(`pipe ${pipe.logicalId}: ${why}`); };
      const stream = [...this.dynamodb.streams.values()].find((s) => s.arn === p.Source);
      if (!stream) refuse(`the local cloud runs pipes from the DynamoDB streams of the template's tables, not ${p.Source}`);
      const source = p.SourceParameters?.DynamoDBStreamParameters ?? {};
      if (!['TRIM_HORIZON', 'LATEST'].includes(source.StartingPosition)) {
        refuse(`SourceParameters.DynamoDBStreamParameters.StartingPosition is TRIM_HORIZON or LATEST (required), not ${source.StartingPosition}`);
      }
      const bus = this.eventBridge.bus(p.Target);
      if (!String(p.Target).startsWith('arn:aws:events:') || !bus) refuse(`the local cloud runs pipes to the template's event buses, not ${p.Target}`);
      const busParameters = p.TargetParameters?.EventBridgeEventBusParameters ?? {};
      if (!busParameters.Source || !busParameters.DetailType) {
        refuse('TargetParameters.EventBridgeEventBusParameters needs Source and DetailType (the Pipes guide documents no default for an event bus target)');
      }
      if (busParameters.EndpointId) refuse('EndpointId (global endpoints) is not emulated by the local cloud');
      for (const [where, template] of [['TargetParameters', p.TargetParameters?.InputTemplate], ['EnrichmentParameters', p.EnrichmentParameters?.InputTemplate]]) {
        if (template !== undefined) refuse(`${where}.InputTemplate is not emulated by the local cloud (input transformation)`);
      }
      if (p.EnrichmentParameters?.HttpParameters) refuse('EnrichmentParameters.HttpParameters is not emulated by the local cloud');
      if (p.KmsKeyIdentifier) refuse('KmsKeyIdentifier (the pipe\'s own key) is not emulated by the local cloud');
      const batchSize = source.BatchSize === undefined ? EVENT_BUS_BATCH : Number(source.BatchSize);
      if (!(batchSize >= 1 && batchSize <= EVENT_BUS_BATCH)) {
        // "you can't configure a pipe with a larger batch size than the target supports" (batching and concurrency).
        refuse(`BatchSize ${batchSize} is more than an event bus target takes (${EVENT_BUS_BATCH})`);
      }
      const deadLetterArn = source.DeadLetterConfig?.Arn;
      if (deadLetterArn && !String(deadLetterArn).startsWith('arn:aws:sqs:')) refuse(`the local cloud sends dead letters to SQS queues, not ${deadLetterArn}`);
      const bisect = source.OnPartialBatchItemFailure;
      if (bisect !== undefined && bisect !== 'AUTOMATIC_BISECT') refuse(`OnPartialBatchItemFailure is AUTOMATIC_BISECT, not ${bisect}`);
      const filters = (p.SourceParameters?.FilterCriteria?.Filters ?? []).map(({ Pattern }, i) => {
        let pattern;
        try { pattern = JSON.parse(Pattern); } catch {
          // "EventBridge throws an exception at the time of Pipe creation or update. The filter pattern must be valid JSON format."
          refuse(`FilterCriteria.Filters[${i}].Pattern is not JSON: ${Pattern}`);
        }
        const named = Object.keys(pattern).filter((key) => UNFILTERABLE.includes(key));
        if (named.length > 0) {
          refuse(`FilterCriteria.Filters[${i}].Pattern filters on ${named.join(', ')}, which the Pipes guide ("Event filtering in Amazon EventBridge Pipes") says can't be used in event patterns; filter on the dynamodb field (NewImage exists for INSERT and MODIFY records, not for REMOVE)`);
        }
        return pattern;
      });
      Object.assign(pipe, {
        stream, bus, busParameters, filters, batchSize, deadLetterArn,
        deadLetterQueue: deadLetterArn ? this.sqs.queueByArn(deadLetterArn) : undefined,
        bisect: bisect === 'AUTOMATIC_BISECT',
        startingPosition: source.StartingPosition,
        windowMs: 1000 * Number(source.MaximumBatchingWindowInSeconds ?? 0),
        maxRetries: Number(source.MaximumRetryAttempts ?? -1),
        maxRecordAgeMs: Number(source.MaximumRecordAgeInSeconds ?? -1) * 1000,
        enrichment: p.Enrichment,
      });
      await this.iam.checkTrust(p.RoleArn, 'pipes.amazonaws.com', `pipe ${pipe.logicalId}`, { 'aws:SourceArn': pipe.arn, 'aws:SourceAccount': ACCOUNT });
      pipe.principal = this.iam.rolePrincipal(p.RoleArn, `pipes-${pipe.name}`.slice(0, 64));
      if (p.Enrichment) {
        if (!String(p.Enrichment).startsWith('arn:aws:states:')) refuse(`the local cloud runs state machines as enrichments, not ${p.Enrichment}`);
        const machine = this.stepFunctions.machine(p.Enrichment);
        if (machine.type !== 'EXPRESS') {
          this.stop(pipe, 'STOPPED', `Step Functions standard workflow ${p.Enrichment} configured as enrichment: EventBridge Pipes only supports Express workflows as enrichments`);
          continue;
        }
      }
      if ((p.DesiredState ?? 'RUNNING') === 'STOPPED') {
        this.stop(pipe, 'STOPPED');
        continue;
      }
      try {
        await this.iam.authorizeAll(pipe.principal, [
          { action: 'dynamodb:ListStreams', resource: '*' },
          ...['DescribeStream', 'GetShardIterator'].map((operation) => ({ action: `dynamodb:${operation}`, resource: stream.arn })),
        ]);
      } catch (error) {
        this.stop(pipe, 'CREATE_FAILED', `EventBridge Pipes does not have the permissions it needs on the source ${stream.arn}: ${error.message}`);
        continue;
      }
      pipe.state = 'RUNNING';
    }
  }

  stop(pipe, state, reason) {
    Object.assign(pipe, { state, ...(reason ? { stateReason: reason } : {}) });
  }

  /** Starts polling the running pipes' streams; call once everything is ready to be called. */
  startPolling() {
    for (const pipe of this.pipes.filter((p) => p.state === 'RUNNING')) {
      pipe.position = pipe.startingPosition === 'TRIM_HORIZON' ? 0 : pipe.stream.records.length;
      pipe.polling = this.poll(pipe).catch((error) => {
        this.stop(pipe, 'STOPPED', `the local pipe failed: ${error.stack ?? error}`);
      });
    }
  }

  close() {
    this.closed = true;
  }

  /** Reads the stream batch after batch, as long as the pipe runs. */
  async poll(pipe) {
    const { stream } = pipe;
    while (!this.closed && pipe.state === 'RUNNING') {
      await stream.waitFor(pipe.position, this.pollMs);
      if (this.closed || stream.records.length <= pipe.position) continue;
      if (pipe.windowMs > 0) {
        // "EventBridge continues to read records from the source until it has gathered a full
        // batch, the batching window expires, or the batch reaches the payload limit".
        const until = Date.now() + pipe.windowMs;
        while (!this.closed && stream.records.length - pipe.position < pipe.batchSize && Date.now() < until) {
          await stream.waitFor(pipe.position + pipe.batchSize - 1, Math.min(this.pollMs, until - Date.now()));
        }
      }
      const read = stream.records.slice(pipe.position, pipe.position + pipe.batchSize);
      try {
        await this.iam.authorizeAll(pipe.principal, this.dynamodb.streamRequests('GetRecords',
          { ShardIterator: DynamoDb.encodeIterator(stream, pipe.position) }));
      } catch (error) {
        this.stop(pipe, 'STOPPED', `EventBridge Pipes cannot read the source ${stream.arn}: ${error.message}`);
        return;
      }
      const batch = read.map((record) => ({ ...record, eventSourceARN: stream.arn }));
      const passed = pipe.filters.length === 0 ? batch : batch.filter((record) => pipe.filters.some((f) => matches(f, record)));
      if (passed.length > 0) {
        await this.process(pipe, passed);
        // At least once: the same batch again, as a retried checkpoint would give it.
        if (this.chaos?.happens('pipeDuplicates')) await this.process(pipe, passed, { duplicate: true });
      } else {
        pipe.executions.push({ records: batch.map((r) => r.dynamodb.SequenceNumber), status: 'FILTERED' });
      }
      pipe.position += read.length;
    }
  }

  /** One batch through the pipe: retried, bisected or sent to the dead-letter queue as its settings say. */
  async process(pipe, records, { duplicate = false } = {}) {
    const execution = { records: records.map((r) => r.dynamodb.SequenceNumber), attempts: 0, status: 'RUNNING', errors: [], ...(duplicate ? { duplicate } : {}) };
    pipe.executions.push(execution);
    for (;;) {
      execution.attempts += 1;
      try {
        execution.eventIds = await this.invoke(pipe, records);
        execution.status = execution.eventIds.length > 0 ? 'SUCCEEDED' : 'NOTHING_TO_SEND';
        return;
      } catch (error) {
        if (!(error instanceof InvocationError || error instanceof AwsError)) throw error;
        // The last few errors: a batch retried forever (MaximumRetryAttempts -1) keeps no more.
        execution.errors = [...execution.errors.slice(-9), `${error.code}: ${error.message}`];
        if (pipe.bisect && records.length > 1) {
          execution.status = 'BISECTED';
          const half = Math.ceil(records.length / 2);
          await this.process(pipe, records.slice(0, half));
          await this.process(pipe, records.slice(half));
          return;
        }
        const oldest = 1000 * Math.min(...records.map((r) => r.dynamodb.ApproximateCreationDateTime));
        const expired = pipe.maxRecordAgeMs >= 0 && Date.now() - oldest > pipe.maxRecordAgeMs;
        const exhausted = pipe.maxRetries >= 0 && execution.attempts > pipe.maxRetries;
        if (expired || exhausted || this.closed) {
          execution.status = 'FAILED';
          if (!this.closed) await this.deadLetter(pipe, records, execution, error, expired ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted');
          return;
        }
        await sleep(this.retryDelayMs);
      }
    }
  }

  /** Enrichment, then target: the ids of the events put on the bus. */
  async invoke(pipe, records) {
    let events = records;
    if (pipe.enrichment) {
      await this.iam.authorizeAll(pipe.principal, this.stepFunctions.requests('StartSyncExecution', { stateMachineArn: pipe.enrichment }));
      const run = await this.stepFunctions.startSyncExecution({ stateMachineArn: pipe.enrichment, input: JSON.stringify(records) });
      if (run.status !== 'SUCCEEDED') {
        throw new InvocationError(run.error ?? 'States.Failed', `the enrichment's execution ${run.executionArn} ended ${run.status}${run.cause ? `: ${run.cause}` : ''}`);
      }
      const output = JSON.parse(run.output);
      // "If you don't want to invoke the target, return an empty response, such as "", {}, or []."
      const empty = output === null || output === '' || (Array.isArray(output) && output.length === 0)
        || (typeof output === 'object' && !Array.isArray(output) && Object.keys(output).length === 0);
      if (empty) return [];
      events = Array.isArray(output) ? output : [output];
    }
    if (events.length > EVENT_BUS_BATCH) {
      throw new InvocationError('TargetBatchTooLarge', `${events.length} events are more than an event bus target takes (${EVENT_BUS_BATCH}): the pipe does not invoke the target`);
    }
    const { Source, DetailType, Resources, Time } = pipe.busParameters;
    const entries = events.map((event) => ({
      EventBusName: pipe.bus.arn,
      Source: parameter(Source, event),
      DetailType: parameter(DetailType, event),
      // "the payload from your pipe is automatically placed in the detail section of the EventBridge event"
      Detail: JSON.stringify(event),
      ...(Resources ? { Resources: Resources.map((r) => parameter(r, event)) } : {}),
      ...(Time ? { Time: parameter(Time, event) } : {}),
    }));
    await this.iam.authorizeAll(pipe.principal, EventBridge.putEventsRequests(entries));
    const result = this.eventBridge.putEntries(entries);
    if (result.FailedEntryCount > 0) {
      const failed = result.Entries.find((e) => e.ErrorCode);
      throw new InvocationError(failed.ErrorCode, `the event bus refused ${result.FailedEntryCount} of ${entries.length} events: ${failed.ErrorMessage}`);
    }
    return result.Entries.map((e) => e.EventId);
  }

  /** The record of a batch given up on, to the dead-letter queue, as the pipe's role. */
  async deadLetter(pipe, records, execution, error, condition) {
    const arrival = (r) => new Date(1000 * r.dynamodb.ApproximateCreationDateTime).toISOString().replace(/\.\d+Z$/, 'Z');
    const letter = {
      requestContext: { requestId: randomUUID(), pipeArn: pipe.arn, condition, approximateInvokeCount: execution.attempts },
      responseContext: { errorCode: error.code, errorMessage: String(error.message).slice(0, 1024) },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: pipe.stream.shardId,
        startSequenceNumber: records[0].dynamodb.SequenceNumber,
        endSequenceNumber: records[records.length - 1].dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: arrival(records[0]),
        approximateArrivalOfLastRecord: arrival(records[records.length - 1]),
        batchSize: records.length,
        streamArn: pipe.stream.arn,
      },
    };
    const deadLetter = { condition, records: execution.records, status: 'DROPPED' };
    pipe.deadLetters.push(deadLetter);
    if (!pipe.deadLetterQueue) return;
    try {
      const message = await this.sqs.sendAs(pipe.principal, pipe.deadLetterQueue, { body: JSON.stringify(letter) });
      Object.assign(deadLetter, { status: 'SENT_TO_DEAD_LETTER_QUEUE', messageId: message.messageId });
    } catch (failure) {
      deadLetter.error = `${failure.code}: ${failure.message}`;
    }
  }

  /** What each pipe did, for /_local/pipes. */
  report() {
    return this.pipes.map((p) => ({
      logicalId: p.logicalId, name: p.name, arn: p.arn, state: p.state, ...(p.stateReason ? { stateReason: p.stateReason } : {}),
      source: p.stream?.arn, position: p.position, executions: p.executions, deadLetters: p.deadLetters,
    }));
  }
}
