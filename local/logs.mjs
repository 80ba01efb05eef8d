// CloudWatch Logs, as far as the template's log groups go: their names and ARNs, and their
// encryption. A log group with a customer managed key (KmsKeyId) can only be created when the
// key policy lets CloudWatch Logs (logs.<region>.amazonaws.com) use the key for that group,
// which it asks with the encryption context aws:logs:arn (CloudWatch Logs user guide, "Encrypt
// log data in CloudWatch Logs using AWS KMS"); CloudFormation fails the stack otherwise, so the
// local cloud refuses to start. Nothing is stored: Lambda's log lines are kept by lambda.mjs.
import { Iam } from './iam.mjs';
import { ACCOUNT, REGION } from './template.mjs';

export class Logs {
  /** @param {import('./template.mjs').Template} template */
  constructor(template, { iam }) {
    this.template = template;
    this.iam = iam;
    this.groups = [];
  }

  declare() {
    for (const { logicalId, properties } of this.template.resources('AWS::Logs::LogGroup')) {
      const name = properties.LogGroupName ? this.template.resolve(properties.LogGroupName) : this.template.physicalName(logicalId, 512);
      this.template.declare(logicalId, name, { Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*` });
      this.groups.push({ logicalId, name, properties });
    }
  }

  async start() {
    const logs = Iam.servicePrincipal(`logs.${REGION}.amazonaws.com`);
    for (const group of this.groups) {
      const key = this.template.resolve(group.properties.KmsKeyId);
      if (!key) continue;
      const arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group.name}`;
      await this.iam.authorizeAll(logs, ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        action, resource: key, context: { 'kms:EncryptionContext:aws:logs:arn': arn },
      }))).catch((error) => {
        throw new Error(`log group ${group.logicalId}: The specified KMS key does not exist or is not allowed to be used with Arn '${arn}' (${error.message})`);
      });
    }
  }
}
