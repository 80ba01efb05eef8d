// Chaos: the local cloud misbehaving as AWS documents it may, at stated rates, from a seeded random
// source so a run can be repeated:
//   dropEvents     a status change event is never delivered (Step Functions' events are "best
//                  effort", EventBridge reference)
//   lateEvents     one is delivered up to lateMs late, so events arrive out of order
//   expressReruns  an asynchronous Express execution runs twice (Express is "at least once")
//   throttleStart  StartExecution answers ThrottlingException (the Standard quota is a token bucket)
//   throttleDynamo a state machine's DynamoDB call answers ProvisionedThroughputExceededException
//   commitThen500  a state machine's DynamoDB write takes effect, then answers InternalServerError
//   pipeDuplicates an EventBridge pipe delivers a batch of stream records a second time (a pipe
//                  delivers "at least once", Pipes user guide, DynamoDB stream source)
// Every decision is counted, for /_local/chaos.
//
//   --chaos seed=7,dropEvents=0.1,lateEvents=0.1,lateMs=3000,expressReruns=0.1,throttleStart=0.05,
//           throttleDynamo=0.05,commitThen500=0.05,pipeDuplicates=0.1

const RATES = ['dropEvents', 'lateEvents', 'expressReruns', 'throttleStart', 'throttleDynamo', 'commitThen500', 'pipeDuplicates'];

/** mulberry32: a small, well-distributed seeded generator of numbers in [0, 1). */
function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Chaos {
  /** @param {object} settings rates in [0, 1], lateMs, seed */
  constructor(settings = {}) {
    for (const [key, value] of Object.entries(settings)) {
      if (![...RATES, 'lateMs', 'seed'].includes(key)) throw new Error(`--chaos: unknown setting ${key}`);
      if (RATES.includes(key) && !(value >= 0 && value <= 1)) throw new Error(`--chaos: ${key} is a rate from 0 to 1, not ${value}`);
    }
    this.settings = { lateMs: 3000, seed: 1, ...settings };
    this.random = generator(Number(this.settings.seed));
    this.counts = Object.fromEntries(RATES.map((rate) => [rate, 0]));
  }

  /** Parses `key=value,key=value`. */
  static parse(text) {
    return new Chaos(Object.fromEntries(String(text).split(',').filter(Boolean).map((pair) => {
      const [key, value] = pair.split('=');
      return [key.trim(), Number(value)];
    })));
  }

  /** Whether this time the misbehaviour happens; counted when it does. */
  happens(rate) {
    const p = this.settings[rate] ?? 0;
    if (p > 0 && this.random() < p) {
      this.counts[rate] += 1;
      return true;
    }
    return false;
  }

  /** How late a late event is: up to lateMs. */
  lateness() {
    return Math.round(this.random() * this.settings.lateMs);
  }

  report() {
    return { settings: this.settings, counts: this.counts };
  }
}
