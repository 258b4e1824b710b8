import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it, vi } from 'vitest';
import { Updraft } from '../../lib/updraft';
import { synthStack } from './synth-helper';

interface Acknowledgment {
  id: string;
  reason: string;
  path: string;
}

function acknowledgments(root: IConstruct): Acknowledgment[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ id, reason, path: construct.node.path })),
  );
}

describe('cdk-nag AwsSolutionsChecks', () => {
  const variants = {
    default: synthStack(),
    'JWT + alarm email': synthStack({
      updraft: { jwt: { issuer: 'https://issuer.example', audience: ['a'] }, alarmEmail: 'ops@example.com' },
    }),
    'container tasks (public task VPC)': synthStack({ updraft: { containerTasks: true } }),
    'Athena workgroup + result bucket + invokable functions': synthStack({
      updraft: {
        athena: { workgroups: ['ranking'], resultBucketArns: ['arn:aws:s3:::movie-rankings'] },
        invokableFunctions: ['score-*', 'arn:aws:lambda:eu-west-1:123456789012:function:etl-*'],
      },
    }),
    'created VPC + container tasks + DAG upload': synthStack({
      updraft: { createVpc: true, containerTasks: true, dagsPath: 'dags', workerMemoryClasses: [2048] },
    }),
  };

  for (const [name, { stack }] of Object.entries(variants)) {
    it(`reports no unacknowledged finding (${name})`, () => {
      const report = new AwsSolutionsChecks(stack).validateScope(stack);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
      );
      expect(findings).toEqual([]);
      expect(report.success).toBe(true);
    });
  }

  it('fails without the acknowledgments (the checks really run)', () => {
    const ignore = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {});
    const { stack } = synthStack();
    ignore.mockRestore();
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const rules = new Set(report.violations.map((v) => v.ruleName.replace(/\[.*/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
    ]);
  });

  it('needs acknowledgments for the optional parts too (the checks see ECS, VPC and the upload)', () => {
    const ignore = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {});
    const { stack } = synthStack({ updraft: { createVpc: true, containerTasks: true, dagsPath: 'dags' } });
    ignore.mockRestore();
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const findings = new Set(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    );
    const expected = [
      /^AwsSolutions-IAM4\[Policy::.*AWSLambdaBasicExecutionRole\] Updraft\/Custom::CDKBucketDeployment\w+\/ServiceRole\//,
      /^AwsSolutions-IAM5\[Action::s3:DeleteObject\*\] Updraft\/Custom::CDKBucketDeployment\w+\/ServiceRole\//,
      /^AwsSolutions-L1 Updraft\/Custom::CDKBucketDeployment\w+\/Resource/,
      /^AwsSolutions-IAM5\[Resource::\*\] Updraft\/Orchestrator\/ContainerTasks\/ExecutionRole\//,
      /^AwsSolutions-IAM5\[Resource::.*:ecr:.*:repository\/\*\] Updraft\/Orchestrator\/ContainerTasks\/ExecutionRole\//,
      /^AwsSolutions-IAM5\[Resource::.*:task\/<OrchestratorContainerTasksCluster\w+>\/\*\] Updraft\/Orchestrator\/Scheduler\/Handler\/Role\//,
      /^AwsSolutions-IAM5\[Resource::\*\] Updraft\/Orchestrator\/Worker4096\/Handler\/Role\//,
      /^AwsSolutions-IAM5\[Resource::.*:network-interface\/\*\] Updraft\/Orchestrator\/Api\/Handler\/Role\//,
    ];
    const missing = expected.filter((pattern) => ![...findings].some((f) => pattern.test(f)));
    expect(missing, [...findings].join('\n')).toEqual([]);
  });

  it('acknowledges only specific findings, each on its resource with a specific reason', () => {
    const { stack } = variants['created VPC + container tasks + DAG upload'];
    // aws-cdk-lib itself acknowledges a CloudFormation-Validate rule on any stack that reads AZs.
    const acks = acknowledgments(stack).filter((a) => a.id.includes('AwsSolutions-'));
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path).not.toBe(stack.node.path); // never stack-wide
      expect(ack.reason.length).toBeGreaterThan(60);
      if (ack.id.startsWith('AwsSolutions-IAM5'))
        expect(ack.id).toMatch(/AwsSolutions-IAM5\[(Resource|Action)::.+\]$/);
      if (ack.id.includes('[Resource::*]'))
        expect(ack.path).toMatch(/Handler\/Role$|ContainerTasks\/ExecutionRole$/);
      if (ack.id.startsWith('AwsSolutions-IAM4') || ack.id.includes('[Action::'))
        expect(ack.path).toMatch(/^Updraft\/Custom::CDKBucketDeployment\w+\/ServiceRole$/);
    }
    const ids = new Set(acks.map((a) => a.id.replace(/^Annotation::/i, '').replace(/\[.*/, '')));
    expect([...ids].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
    ]);
  });
});

describe('embeddable: Updraft in a stack of your own', () => {
  it('synthesizes in a plain Stack with dagsPath and passes AwsSolutionsChecks', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Platform');
    // dags/ declares task environments, which need container tasks.
    const updraft = new Updraft(stack, 'Orchestrator', { dagsPath: 'dags', containerTasks: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth(); // throws when a validation plugin reports a finding
    expect(assembly.getStackByName('Platform').template.Resources).toBeDefined();
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
    expect(updraft.metricsNamespace).toBe('Updraft/Platform');
    Template.fromStack(stack).resourceCountIs('Custom::CDKBucketDeployment', 2);
  });
});
