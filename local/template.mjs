// A synthesized CloudFormation template, read the way CloudFormation would deploy it locally:
// every resource gets a physical name, ARN and attributes in the local account and region, and
// expressions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) resolve against them.
export const PARTITION = 'aws';

/** The account and region the local cloud runs in; useEnvironment sets them. */
export let REGION = 'us-east-1';
export let ACCOUNT = '000000000000';

/**
 * Sets the account and region to the stack's environment, which a template of an environment-bound
 * stack writes into its ARNs (a role policy names `arn:aws:dynamodb:eu-west-1:123456789012:...`):
 * policies must name what the cloud serves. Call before any service starts.
 */
export function useEnvironment({ account, region } = {}) {
  if (account !== undefined) {
    if (!/^\d{12}$/.test(account)) throw new Error(`an account id is 12 digits, not '${account}'`);
    ACCOUNT = account;
  }
  if (region !== undefined) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error(`'${region}' is not a region name`);
    REGION = region;
  }
}

/**
 * The environment a cloud assembly's manifest gives a stack (`aws://<account>/<region>`), for
 * the parts that are not 'unknown-account' or 'unknown-region' (an environment-agnostic stack).
 */
export function environmentOf(manifest, stackName) {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(manifest.artifacts?.[stackName]?.environment ?? '');
  if (!match) return {};
  const [, account, region] = match;
  return { ...(account !== 'unknown-account' ? { account } : {}), ...(region !== 'unknown-region' ? { region } : {}) };
}

export class Template {
  /**
   * @param {object} json the template
   * @param {string} stackName the stack's name; physical names start with it, as CloudFormation's do
   */
  constructor(json, stackName = 'local') {
    this.json = json;
    this.stackName = stackName;
    /** logical id -> { ref, attributes } as each local service declares them */
    this.physical = new Map();
  }

  /** Every resource of a type, in template order, as { logicalId, properties, resource }. */
  resources(type) {
    return Object.entries(this.json.Resources ?? {})
      .filter(([, r]) => r.Type === type)
      .map(([logicalId, resource]) => ({ logicalId, properties: resource.Properties ?? {}, resource }));
  }

  /** The single resource of a type; fails if there is not exactly one. */
  only(type) {
    const found = this.resources(type);
    if (found.length !== 1) {
      throw new Error(`expected exactly one ${type} in the template, found ${found.length}`);
    }
    return found[0];
  }

  resource(logicalId) {
    const resource = this.json.Resources?.[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    return { logicalId, properties: resource.Properties ?? {}, resource };
  }

  /** A physical name as CloudFormation makes one: stack, logical id and a suffix, within a limit. */
  physicalName(logicalId, maxLength = 64) {
    return `${this.stackName}-${logicalId}-LOCAL`.slice(-maxLength).replace(/^[^A-Za-z0-9]+/, '');
  }

  /** Declares what Ref and Fn::GetAtt give for a resource. */
  declare(logicalId, ref, attributes = {}) {
    this.physical.set(logicalId, { ref, attributes });
  }

  /** Resolves an expression to a plain JSON value. */
  resolve(value) {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      switch (fn) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(...(Array.isArray(arg) ? arg : arg.split('.')));
        case 'Fn::Join': return this.resolve(arg[1]).join(arg[0]);
        case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return this.resolve(arg[1]).split(arg[0]);
        case 'Fn::Sub': return this.sub(arg);
        default: break;
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]));
  }

  ref(name) {
    switch (name) {
      case 'AWS::Partition': return PARTITION;
      case 'AWS::Region': return REGION;
      case 'AWS::AccountId': return ACCOUNT;
      case 'AWS::StackName': return this.stackName;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::NoValue': return undefined;
      default: break;
    }
    const declared = this.physical.get(name);
    if (declared) return declared.ref;
    if (this.json.Parameters?.[name]) return this.json.Parameters[name].Default;
    if (this.json.Resources?.[name]) return this.physicalName(name);
    throw new Error(`cannot resolve Ref ${name} locally`);
  }

  getAtt(logicalId, attribute) {
    const declared = this.physical.get(logicalId);
    if (declared && attribute in declared.attributes) return declared.attributes[attribute];
    const type = this.json.Resources?.[logicalId]?.Type;
    if (!type) throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}: no such resource`);
    if (attribute === 'Arn') return placeholderArn(type, this.ref(logicalId));
    return `${this.ref(logicalId)}.${attribute}`;
  }

  sub(arg) {
    const [text, vars = {}] = Array.isArray(arg) ? arg : [arg, {}];
    return text.replace(/\$\{([^}]+)\}/g, (_, name) => {
      if (name in vars) return this.resolve(vars[name]);
      const [logicalId, attribute] = name.split('.');
      return attribute ? this.getAtt(logicalId, attribute) : this.ref(logicalId);
    });
  }

  outputs() {
    return Object.entries(this.json.Outputs ?? {}).map(([key, output]) => ({
      key, value: String(this.resolve(output.Value)), description: output.Description,
    }));
  }
}

/** An ARN for a resource no local service runs (a role, a key): enough to render expressions. */
function placeholderArn(type, name) {
  const [, service, kind] = type.split('::');
  const lower = service.toLowerCase();
  if (lower === 'iam') return `arn:${PARTITION}:iam::${ACCOUNT}:${kind.toLowerCase()}/${name}`;
  return `arn:${PARTITION}:${lower}:${REGION}:${ACCOUNT}:${kind.toLowerCase()}/${name}`;
}
