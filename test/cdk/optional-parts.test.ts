import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/runtime/env-keys';
import { buildDagBundle } from '../../lib/dag-bundle';
import { PROJECT_ROOT } from '../../lib/lambda-function';
import { Updraft } from '../../lib/updraft';
import { actionsOf, type Json, logicalId, resourcesOf, statementsOfRole, synthStack } from './synth-helper';

/* The optional parts, each off by default: container tasks (ECS), VPC placement, deploy-time DAG upload. */

const ECS_KEYS = [
  ENV.ecsCluster,
  ENV.ecsSubnets,
  ENV.ecsSecurityGroups,
  ENV.ecsAssignPublicIp,
  ENV.ecsExecutionRoleArn,
  ENV.ecsTaskRoleArn,
  ENV.ecsLogGroup,
];
const RUNNERS = ['Scheduler', 'Worker1024', 'Worker4096', 'Worker10240'];

/** Resource helpers over one template. */
function inspect(template: Template) {
  const resources = template.toJSON().Resources as Record<string, Json>;
  const id = (type: string, prefix: string) => logicalId(template, type, prefix);
  const fnProps = (name: string) =>
    resources[id('AWS::Lambda::Function', `Orchestrator${name}HandlerFunction`)].Properties;
  const envOf = (name: string) => fnProps(name).Environment.Variables;
  const statements = (rolePrefix: string) => statementsOfRole(template, rolePrefix);
  return { resources, id, fnProps, envOf, statements };
}

describe('container tasks without a VPC: public-only task VPC, functions outside', () => {
  const { template } = synthStack({ updraft: { containerTasks: true } });
  const { resources, id, fnProps, envOf, statements } = inspect(template);
  const cluster = id('AWS::ECS::Cluster', 'OrchestratorContainerTasksCluster');
  const executionRole = id('AWS::IAM::Role', 'OrchestratorContainerTasksExecutionRole');
  const taskRole = id('AWS::IAM::Role', 'OrchestratorContainerTasksTaskRole');
  const taskGroup = id('AWS::EC2::SecurityGroup', 'OrchestratorContainerTasksSecurityGroup');
  const containerLogs = id('AWS::Logs::LogGroup', 'OrchestratorContainerTasksLogs');
  const scheduler = id('AWS::Lambda::Function', 'OrchestratorSchedulerHandlerFunction');

  it('creates a cluster with Container Insights and a log group with the configured retention', () => {
    expect(resources[cluster].Properties.ClusterSettings).toEqual([
      { Name: 'containerInsights', Value: 'enabled' },
    ]);
    expect(resources[containerLogs].Properties.RetentionInDays).toBe(30);
    const custom = synthStack({ updraft: { containerTasks: true, logRetention: 7 } }).template;
    custom.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  it('puts tasks in a public-subnet VPC without NAT, with flow logs, and gives them a public IP', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(2);
    for (const [, subnet] of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: id('AWS::Logs::LogGroup', 'OrchestratorNetworkFlowLogs') },
    });
    expect(envOf('Scheduler')[ENV.ecsAssignPublicIp]).toBe('ENABLED');
    expect(envOf('Scheduler')[ENV.ecsSubnets]).toEqual({
      'Fn::Join': [
        '',
        subnets.map(([subnetId]) => ({ Ref: subnetId })).flatMap((ref, i) => (i ? [',', ref] : [ref])),
      ],
    });
  });

  it('keeps the functions outside the VPC', () => {
    for (const name of [...RUNNERS, 'Api']) expect(fnProps(name).VpcConfig).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1); // only the tasks' group
  });

  it('gives tasks a security group with no inbound rules', () => {
    expect(resources[taskGroup].Properties.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(resources[taskGroup].Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }),
    ]);
  });

  it('lets the execution role pull from ECR and write the container logs, nothing else', () => {
    const role = resources[executionRole].Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'ecs-tasks.amazonaws.com',
    });
    const granted = statements('OrchestratorContainerTasksExecutionRole').map((s) => [
      [s.Action].flat(),
      s.Resource,
    ]);
    expect(granted).toEqual([
      [['ecr:GetAuthorizationToken'], '*'],
      [
        ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':ecr:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':repository/*',
            ],
          ],
        },
      ],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::GetAtt': [containerLogs, 'Arn'] }],
    ]);
  });

  it('gives the default task role no permissions at all', () => {
    expect(resources[taskRole].Properties.ManagedPolicyArns).toBeUndefined();
    expect(resources[taskRole].Properties.Policies).toBeUndefined();
    expect(statements('OrchestratorContainerTasksTaskRole')).toEqual([]);
  });

  it('ticks the scheduler when a task of this cluster stops', () => {
    const rule = resources[id('AWS::Events::Rule', 'OrchestratorContainerTasksTaskStopped')].Properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { clusterArn: [{ 'Fn::GetAtt': [cluster, 'Arn'] }], lastStatus: ['STOPPED'] },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [scheduler, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [scheduler, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [id('AWS::Events::Rule', 'OrchestratorContainerTasksTaskStopped'), 'Arn'] },
    });
  });

  it('sets the ECS variables on the scheduler and every worker, not on the api', () => {
    for (const name of RUNNERS)
      expect(envOf(name)).toMatchObject({
        [ENV.ecsCluster]: { 'Fn::GetAtt': [cluster, 'Arn'] },
        [ENV.ecsSecurityGroups]: { 'Fn::GetAtt': [taskGroup, 'GroupId'] },
        [ENV.ecsAssignPublicIp]: 'ENABLED',
        [ENV.ecsExecutionRoleArn]: { 'Fn::GetAtt': [executionRole, 'Arn'] },
        [ENV.ecsTaskRoleArn]: { 'Fn::GetAtt': [taskRole, 'Arn'] },
        [ENV.ecsLogGroup]: { Ref: containerLogs },
      });
    expect(Object.keys(envOf('Api')).filter((k) => (ECS_KEYS as string[]).includes(k))).toEqual([]);
  });

  it("lets only the scheduler describe the cluster's tasks, and nobody run them yet", () => {
    const describe = statements('OrchestratorSchedulerHandlerRole').find(
      (s) => s.Action === 'ecs:DescribeTasks',
    );
    expect(describe?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [cluster, 'Arn'] } } });
    expect(JSON.stringify(describe?.Resource)).toContain(`":task/",{"Ref":"${cluster}"},"/*"`);
    const everyAction = resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, p]) =>
      actionsOf(p.Properties.PolicyDocument.Statement),
    );
    expect(everyAction.filter((a) => a === 'ecs:DescribeTasks')).toHaveLength(1);
    expect(everyAction.filter((a) => /^ecs:(RunTask|StopTask)$|^iam:PassRole$/.test(a))).toEqual([]);
  });

  it('uses `*` only where IAM has no resource-level permissions', () => {
    const starred = resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Json[])
        .filter((s) => [s.Resource].flat().includes('*'))
        .flatMap((s) => [s.Action].flat()),
    );
    expect(starred).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('outputs the cluster ARN', () => {
    const outputs = Object.entries(template.toJSON().Outputs as Record<string, Json>);
    expect(outputs.find(([key]) => key.startsWith('OrchestratorEcsClusterArn'))?.[1].Value).toEqual({
      'Fn::GetAtt': [cluster, 'Arn'],
    });
  });
});

describe('updraft:vpc=create (createVpc): functions and tasks in private subnets', () => {
  const { template } = synthStack({ updraft: { createVpc: true, containerTasks: true } });
  const { resources, id, fnProps, envOf, statements } = inspect(template);
  const functionGroup = id('AWS::EC2::SecurityGroup', 'OrchestratorNetworkFunctionSecurityGroup');
  const privateSubnets = resourcesOf(template, 'AWS::EC2::Subnet')
    .filter(([, s]) => s.Properties.MapPublicIpOnLaunch === false)
    .map(([subnetId]) => ({ Ref: subnetId }));

  it('creates 2 AZs of public and private subnets, one NAT, S3 and DynamoDB endpoints, flow logs', () => {
    expect(resourcesOf(template, 'AWS::EC2::Subnet')).toHaveLength(4);
    expect(privateSubnets).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const endpoints = resourcesOf(template, 'AWS::EC2::VPCEndpoint').map(([, e]) => ({
      type: e.Properties.VpcEndpointType,
      service: JSON.stringify(e.Properties.ServiceName),
    }));
    expect(endpoints.map((e) => e.type)).toEqual(['Gateway', 'Gateway']);
    expect(endpoints.map((e) => e.service.match(/\.(s3|dynamodb)"/)?.[1]).sort()).toEqual(['dynamodb', 's3']);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    expect(
      resources[id('AWS::Logs::LogGroup', 'OrchestratorNetworkFlowLogs')].Properties.RetentionInDays,
    ).toBe(30);
    // Env-agnostic: AZs resolve at deploy time (Fn::GetAZs), no context lookup at synth.
    expect(
      resourcesOf(template, 'AWS::EC2::Subnet').map(([, s]) => s.Properties.AvailabilityZone),
    ).toContainEqual({
      'Fn::Select': [1, { 'Fn::GetAZs': '' }],
    });
  });

  it('places every function in the private subnets with an inbound-free security group', () => {
    for (const name of [...RUNNERS, 'Api'])
      expect(fnProps(name).VpcConfig).toEqual({
        SecurityGroupIds: [{ 'Fn::GetAtt': [functionGroup, 'GroupId'] }],
        SubnetIds: privateSubnets,
      });
    expect(resources[functionGroup].Properties.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  it('runs tasks in the private subnets without a public IP', () => {
    expect(envOf('Worker4096')[ENV.ecsAssignPublicIp]).toBe('DISABLED');
    expect(envOf('Worker4096')[ENV.ecsSubnets]).toEqual({
      'Fn::Join': ['', [privateSubnets[0], ',', privateSubnets[1]]],
    });
  });

  it('grants the network-interface permissions Lambda needs in a VPC, inline and scoped', () => {
    for (const name of [...RUNNERS, 'Api']) {
      const all = statements(`Orchestrator${name}HandlerRole`);
      const create = all.find((s) => s.Action === 'ec2:CreateNetworkInterface');
      expect(JSON.stringify(create?.Resource)).toContain(':network-interface/*');
      expect(JSON.stringify(create?.Resource)).toContain(functionGroup);
      const describe = all.find((s) => [s.Action].flat().includes('ec2:DescribeNetworkInterfaces'));
      expect([describe?.Action].flat().sort()).toEqual([
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
      ]);
      expect(
        resources[id('AWS::IAM::Role', `Orchestrator${name}HandlerRole`)].Properties.ManagedPolicyArns,
      ).toBeUndefined();
    }
    const starred = resourcesOf(template, 'AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Json[])
        .filter((s) => [s.Resource].flat().includes('*'))
        .flatMap((s) => [s.Action].flat()),
    );
    expect(new Set(starred)).toEqual(
      new Set(['ecr:GetAuthorizationToken', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets']),
    );
  });

  it('puts functions in the created VPC without container tasks too', () => {
    const plain = inspect(synthStack({ updraft: { createVpc: true } }).template);
    expect(plain.fnProps('Worker1024').VpcConfig).toBeDefined();
    expect(Object.keys(plain.resources).some((k) => k.includes('ContainerTasks'))).toBe(false);
  });
});

describe('a given VPC', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Host');
  const vpc = new ec2.Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 });
  new Updraft(stack, 'Orchestrator', { vpc, containerTasks: true });
  const template = Template.fromStack(stack);
  const { fnProps, envOf } = inspect(template);

  it('uses its private subnets for functions and tasks and creates no VPC of its own', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    const subnets = vpc.privateSubnets.map((s) => ({
      Ref: stack.resolve((s.node.defaultChild as ec2.CfnSubnet).logicalId),
    }));
    expect(fnProps('Scheduler').VpcConfig.SubnetIds).toEqual(subnets);
    expect(envOf('Scheduler')[ENV.ecsSubnets]).toEqual({ 'Fn::Join': ['', [subnets[0], ',', subnets[1]]] });
    expect(envOf('Scheduler')[ENV.ecsAssignPublicIp]).toBe('DISABLED');
  });

  it('rejects vpc together with createVpc', () => {
    const other = new Stack(new App(), 'Other');
    expect(
      () => new Updraft(other, 'Orchestrator', { vpc: new ec2.Vpc(other, 'V'), createVpc: true }),
    ).toThrow(/either vpc or create \(createVpc\), not both/);
  });
});

describe('deploy-time DAG upload (dagsPath)', () => {
  // dags/ declares task environments (isolated_environments), which need container tasks.
  const { app, template } = synthStack({ updraft: { dagsPath: 'dags', containerTasks: true } });
  const resources = template.toJSON().Resources as Record<string, Json>;
  const files = logicalId(
    template,
    'Custom::CDKBucketDeployment',
    'OrchestratorDagBundleFilesCustomResource',
  );
  const pointer = logicalId(
    template,
    'Custom::CDKBucketDeployment',
    'OrchestratorDagBundlePointerCustomResource',
  );
  const bucket = { Ref: logicalId(template, 'AWS::S3::Bucket', 'OrchestratorStorageBucket') };
  const built = buildDagBundle('dags');
  const manifest = JSON.parse(readFileSync(join(built.dir, 'manifest.json'), 'utf8'));

  it('builds the folder with `updraft dags build` into a versioned bundle', () => {
    expect(built.version).toBe(manifest.version);
    expect(manifest.dags.map((d: Json) => d.dagId)).toContain('etl_linear');
    expect(existsSync(join(built.dir, 'code', 'etl_linear.dag.mjs'))).toBe(true);
  });

  it('uploads bundles/<version>/ first, never pruning or deleting older versions', () => {
    expect(resources[files].Properties).toMatchObject({
      DestinationBucketName: bucket,
      DestinationBucketKeyPrefix: `bundles/${built.version}/`,
      Prune: false,
      RetainOnDelete: true,
    });
    expect(resources[files].Properties.SourceObjectKeys).toHaveLength(1);
  });

  it('then switches bundles/current.json and clears bundles/import-errors.json', () => {
    expect(resources[pointer].Properties).toMatchObject({
      DestinationBucketName: bucket,
      DestinationBucketKeyPrefix: 'bundles/',
      Prune: false,
      RetainOnDelete: true,
    });
    expect(resources[pointer].DependsOn).toContain(files);
    // The staged assets hold exactly the pointer and the empty error list the runtime reads.
    const staged = readdirSync(app.outdir)
      .map((name) => join(app.outdir, name))
      .filter((dir) => existsSync(join(dir, 'current.json')) || existsSync(join(dir, 'import-errors.json')));
    const contents = staged.flatMap((dir) =>
      readdirSync(dir).map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8'))]),
    );
    expect(Object.fromEntries(contents)).toEqual({
      'current.json': { version: built.version },
      'import-errors.json': { errors: [] },
    });
  });

  it('outputs the deployed version and gives the upload function a log group with retention', () => {
    const outputs = Object.entries(template.toJSON().Outputs as Record<string, Json>);
    expect(outputs.find(([id]) => id.startsWith('OrchestratorDagBundleVersion'))?.[1].Value).toBe(
      built.version,
    );
    const handlers = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) =>
      id.startsWith('CustomCDKBucketDeployment'),
    );
    expect(handlers).toHaveLength(1); // one shared singleton for both deployments
    expect(handlers[0]![1].Properties.LoggingConfig).toEqual({
      LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup', 'OrchestratorDagBundleLogs') },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('builds each folder once per process (synthesizing again reuses the build)', () => {
    expect(buildDagBundle(join(PROJECT_ROOT, 'dags'))).toBe(built);
    const started = Date.now();
    synthStack({ updraft: { dagsPath: 'dags', containerTasks: true } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails the synth with the CLI report (file, DAG, task) when the folder does not build', () => {
    expect(() => synthStack({ updraft: { dagsPath: 'test/fixtures/dags/duplicate-task' } })).toThrow(
      /`updraft dags build` failed \(exit 2\); nothing will be deployed:\n.*duplicate\.dag\.ts › DAG "duplicated" › task "x": taskId: duplicate task id/,
    );
    expect(() => synthStack({ updraft: { dagsPath: 'no-such-folder' } })).toThrow(
      /dagsPath: folder .*no-such-folder does not exist/,
    );
  });

  it('is off unless dagsPath is set', () => {
    synthStack().template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });
});
