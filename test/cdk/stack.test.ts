import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/runtime/env-keys';
import {
  actionsOf,
  dashboardWidgets,
  type Json,
  logicalId,
  resourcesOf,
  statementsOfRole,
  synthStack,
} from './synth-helper';

const { template } = synthStack();
const fn = (prefix: string) => logicalId(template, 'AWS::Lambda::Function', prefix);
const functionProps = (prefix: string) => template.toJSON().Resources[fn(prefix)].Properties;
const scheduler = 'OrchestratorSchedulerHandlerFunction';
const worker = 'OrchestratorWorker1024HandlerFunction';
const workers = [1024, 4096, 10240].map((mib) => `OrchestratorWorker${mib}HandlerFunction`);
const api = 'OrchestratorApiHandlerFunction';

describe('bucket', () => {
  it('is encrypted, private, TLS-only and versioned', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('expires old logs and replaced bundle objects', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'logs/', ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'bundles/', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      },
    });
  });

  it('takes the retention days from props and rejects bad ones with the value', () => {
    const custom = synthStack({ updraft: { taskLogRetentionDays: 7 } }).template;
    custom.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'logs/', ExpirationInDays: 7 })]),
      },
    });
    expect(() => synthStack({ updraft: { taskLogRetentionDays: 0 } })).toThrow(/logRetentionDays.*got 0/);
  });
});

describe('task queues (one per worker memory class)', () => {
  const queueId = (mib: number) => logicalId(template, 'AWS::SQS::Queue', `OrchestratorTaskQueue${mib}MiB`);
  const dlq = logicalId(template, 'AWS::SQS::Queue', 'OrchestratorTaskQueueDeadLetterQueue');

  it('has one queue per class, all with SSE and TLS only, sharing one DLQ after 3 receives', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(4);
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    for (const mib of [1024, 4096, 10240])
      expect(template.toJSON().Resources[queueId(mib)].Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
        maxReceiveCount: 3,
      });
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(4);
    for (const [, policy] of policies)
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
  });

  it('feeds each class worker from its own queue only', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(3);
    for (const mib of [1024, 4096, 10240]) {
      const mapping = mappings.find(
        (m) => m.FunctionName.Ref === fn(`OrchestratorWorker${mib}HandlerFunction`),
      );
      expect(mapping?.EventSourceArn).toEqual({ 'Fn::GetAtt': [queueId(mib), 'Arn'] });
      expect(functionProps(`OrchestratorWorker${mib}HandlerFunction`).MemorySize).toBe(mib);
    }
  });

  it('derives every visibility timeout from the worker timeout (6 ×, capped at 12 h)', () => {
    for (const mib of [1024, 4096, 10240])
      expect(template.toJSON().Resources[queueId(mib)].Properties.VisibilityTimeout).toBe(6 * 15 * 60);
    expect(functionProps(worker).Timeout).toBe(15 * 60);
    const short = synthStack({ updraft: { workerTimeout: Duration.minutes(5), workerMemoryClasses: [512] } });
    short.template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 5 * 60 });
    short.template.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('takes classes from props, sorted, and rejects bad ones naming the prop and value', () => {
    const custom = synthStack({ updraft: { workerMemoryClasses: [3008, 256] } }).template;
    const memory = resourcesOf(custom, 'AWS::Lambda::Function')
      .filter(([id]) => id.startsWith('OrchestratorWorker'))
      .map(([id, f]) => [id.replace(/HandlerFunction.*/, ''), f.Properties.MemorySize]);
    expect(memory).toEqual([
      ['OrchestratorWorker256', 256],
      ['OrchestratorWorker3008', 3008],
    ]);
    const bad = (classes: number[]) => () => synthStack({ updraft: { workerMemoryClasses: classes } });
    expect(bad([64, 1024])).toThrow(
      /workerMemoryClasses must hold integers from 128 to 10240 MiB, got 64 in \[64,1024\]/,
    );
    expect(bad([1024.5])).toThrow(/workerMemoryClasses.*got 1024.5/);
    expect(bad([10241])).toThrow(/workerMemoryClasses.*got 10241/);
    expect(bad([1024, 1024])).toThrow(
      /workerMemoryClasses must not repeat a memory class, got \[1024,1024\]/,
    );
    expect(bad([])).toThrow(/workerMemoryClasses must name at least one memory class, got \[\]/);
  });
});

describe('runtime contract (environment variables)', () => {
  const env = (prefix: string) => functionProps(prefix).Environment.Variables;
  const queueRef = (mib: number) => ({
    Ref: logicalId(template, 'AWS::SQS::Queue', `OrchestratorTaskQueue${mib}MiB`),
  });
  const workerQueues = {
    'Fn::Join': ['', ['1024=', queueRef(1024), ',4096=', queueRef(4096), ',10240=', queueRef(10240)]],
  };

  it('gives scheduler, every worker and the api all class queues (<MiB>=<url>, ascending)', () => {
    for (const prefix of [scheduler, ...workers, api]) {
      expect(env(prefix)[ENV.workerQueues]).toEqual(workerQueues);
      expect(env(prefix)[ENV.queueUrl]).toEqual(queueRef(1024)); // the smallest class
      expect(env(prefix)[ENV.metricsNamespace]).toBe('Updraft/Updraft');
    }
  });

  it('names the metrics namespace after the stack unless given', () => {
    const named = synthStack({ stackName: 'Prod', updraft: { metricsNamespace: 'Acme/Flows' } }).template;
    for (const [id, f] of resourcesOf(named, 'AWS::Lambda::Function'))
      if (id.startsWith('Orchestrator'))
        expect(f.Properties.Environment.Variables[ENV.metricsNamespace]).toBe('Acme/Flows');
    expect(() => synthStack({ updraft: { metricsNamespace: 'AWS/Lambda' } })).toThrow(
      /metricsNamespace must be .* not start with AWS\/, got "AWS\/Lambda"/,
    );
    expect(() => synthStack({ updraft: { metricsNamespace: 'runs finished' } })).toThrow(
      /got "runs finished"/,
    );
    expect(() => synthStack({ updraft: { failedRunsThreshold: 0 } })).toThrow(
      /failedRunsThreshold must be at least 1, got 0/,
    );
  });

  it('sets no ECS variables unless container tasks are on', () => {
    for (const prefix of [scheduler, ...workers, api])
      expect(Object.keys(env(prefix)).filter((k) => k.startsWith('UPDRAFT_ECS_'))).toEqual([]);
    template.resourceCountIs('AWS::ECS::Cluster', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('Custom::CDKBucketDeployment', 0);
  });
});

describe('functions', () => {
  it('run Node 22 on ARM64 with their own log group and JSON logs', () => {
    for (const prefix of [scheduler, ...workers, api]) {
      const props = functionProps(prefix);
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } });
      expect(props.Environment.Variables).toMatchObject({ [ENV.logBackend]: 's3' });
      expect(Object.keys(props.Environment.Variables)).toEqual(
        expect.arrayContaining([ENV.tableName, ENV.queueUrl, ENV.bucket]),
      );
    }
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('use no managed policies', () => {
    for (const [, role] of resourcesOf(template, 'AWS::IAM::Role'))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('tick the scheduler every minute, one at a time', () => {
    expect(functionProps(scheduler).ReservedConcurrentExecutions).toBe(1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fn(scheduler), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    expect(() => synthStack({ updraft: { tickRate: Duration.seconds(30) } })).toThrow(
      /tickRate must be at least 1 minute, got 30 seconds/,
    );
  });

  it('feed the workers from their queues with partial batch responses', () => {
    for (const prefix of workers)
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fn(prefix) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 1,
      });
    expect(() => synthStack({ updraft: { workerTimeout: Duration.minutes(16) } })).toThrow(
      /timeout must be between 1 and 15 minutes, got 16 minutes/,
    );
  });

  it('give the api the scheduler function name to kick', () => {
    expect(functionProps(api).Environment.Variables[ENV.schedulerFunctionName]).toEqual({
      Ref: fn(scheduler),
    });
  });
});

describe('HTTP API', () => {
  const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

  it('requires IAM on every route except the health check', () => {
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['ANY /{proxy+}', 'GET /api/v1/health']);
    for (const route of routes)
      expect(route.AuthorizationType).toBe(route.RouteKey === 'GET /api/v1/health' ? 'NONE' : 'AWS_IAM');
  });

  it('uses payload v2 and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });

  it('switches to a JWT authorizer when asked', () => {
    const jwt = synthStack({
      updraft: { jwt: { issuer: 'https://issuer.example', audience: ['client'] } },
    }).template;
    jwt.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['client'] },
    });
    const jwtRoutes = resourcesOf(jwt, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(jwtRoutes.find((r) => r.RouteKey === 'ANY /{proxy+}')?.AuthorizationType).toBe('JWT');
    expect(jwtRoutes.find((r) => r.RouteKey === 'GET /api/v1/health')?.AuthorizationType).toBe('NONE');
  });
});

describe('least privilege', () => {
  const roles = {
    scheduler: 'OrchestratorSchedulerHandlerRole',
    worker: 'OrchestratorWorker1024HandlerRole',
    worker4096: 'OrchestratorWorker4096HandlerRole',
    worker10240: 'OrchestratorWorker10240HandlerRole',
    api: 'OrchestratorApiHandlerRole',
  };
  const actions = Object.fromEntries(
    Object.entries(roles).map(([name, prefix]) => [
      name,
      new Set(actionsOf(statementsOfRole(template, prefix))),
    ]),
  ) as Record<keyof typeof roles, Set<string>>;

  it('has no wildcard actions and no `*` resources in any identity policy', () => {
    for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect(statement.Effect).toBe('Allow');
        for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
        for (const resource of [statement.Resource].flat()) expect(resource).not.toBe('*');
      }
    }
  });

  it('gives each function only what it uses', () => {
    const items = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    for (const set of Object.values(actions)) {
      expect([...set]).toEqual(expect.arrayContaining(items));
      expect(set.has('dynamodb:Scan')).toBe(false);
      expect(set.has('s3:DeleteObject')).toBe(false);
    }
    expect(actions.scheduler.has('sqs:SendMessage')).toBe(true);
    expect(actions.scheduler.has('s3:PutObject')).toBe(false);
    // Notifier templates of the run callbacks the tick fires may read variables (webhook URLs).
    expect(actions.scheduler.has('secretsmanager:GetSecretValue')).toBe(true);
    expect(actions.worker.has('sqs:ReceiveMessage')).toBe(true);
    expect(actions.worker.has('s3:PutObject')).toBe(true);
    expect(actions.worker.has('secretsmanager:GetSecretValue')).toBe(true);
    expect(actions.worker.has('lambda:InvokeFunction')).toBe(false);
    expect(actions.worker4096).toEqual(actions.worker);
    expect(actions.worker10240).toEqual(actions.worker);
    for (const set of Object.values(actions))
      expect([...set].filter((a) => /^(ecs|ec2|iam):/.test(a))).toEqual([]);
    expect(actions.api.has('sqs:SendMessage')).toBe(false);
    expect(actions.api.has('s3:PutObject')).toBe(false);
    expect(actions.api.has('secretsmanager:GetSecretValue')).toBe(false);
  });

  const queueArn = (mib: number) => ({
    'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', `OrchestratorTaskQueue${mib}MiB`), 'Arn'],
  });
  const queuesWith = (role: string, action: string) =>
    statementsOfRole(template, role)
      .filter((s) => [s.Action].flat().includes(action))
      .flatMap((s) => [s.Resource].flat());

  it('lets scheduler and every worker send to all class queues; each worker consumes its own', () => {
    const all = [1024, 4096, 10240].map(queueArn);
    expect(queuesWith(roles.scheduler, 'sqs:SendMessage')).toEqual(all);
    expect(queuesWith(roles.scheduler, 'sqs:ReceiveMessage')).toEqual([]);
    for (const mib of [1024, 4096, 10240]) {
      const role = `OrchestratorWorker${mib}HandlerRole`;
      expect(queuesWith(role, 'sqs:SendMessage')).toEqual(all);
      expect(queuesWith(role, 'sqs:ReceiveMessage')).toEqual([queueArn(mib)]);
      expect(queuesWith(role, 'sqs:DeleteMessage')).toEqual([queueArn(mib)]);
    }
    expect(actionsOf(statementsOfRole(template, roles.api)).filter((a) => a.startsWith('sqs:'))).toEqual([]);
  });

  it('lets the scheduler and workers publish callbacks to the alarm topic (and configured topics) only', () => {
    const topic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'OrchestratorMonitoringAlarmTopic') };
    for (const role of [roles.scheduler, roles.worker])
      expect(statementsOfRole(template, role).filter((s) => s.Action === 'sns:Publish')).toEqual([
        expect.objectContaining({ Effect: 'Allow', Resource: topic }),
      ]);
    expect(actionsOf(statementsOfRole(template, roles.api))).not.toContain('sns:Publish');
    const ops = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';
    const custom = synthStack({ updraft: { notificationTopicArns: [ops] } }).template;
    expect(statementsOfRole(custom, roles.worker).find((s) => s.Action === 'sns:Publish')?.Resource).toEqual([
      topic,
      ops,
    ]);
  });

  it('grants Athena only with the athena prop: its workgroups, Glue reads and the result buckets', () => {
    expect(
      actionsOf(statementsOfRole(template, roles.worker)).filter((a) => /^(athena|glue):/.test(a)),
    ).toEqual([]);
    const results = 'arn:aws:s3:::movie-rankings';
    const custom = synthStack({
      updraft: { athena: { workgroups: ['ranking'], resultBucketArns: [results] } },
    });
    const worker = statementsOfRole(custom.template, roles.worker);
    const athena = worker.find((s) => [s.Action].flat().includes('athena:StartQueryExecution'));
    expect([athena?.Action].flat().sort()).toEqual([
      'athena:GetQueryExecution',
      'athena:StartQueryExecution',
      'athena:StopQueryExecution',
    ]);
    expect(JSON.stringify(athena?.Resource)).toMatch(/:athena:.*:workgroup\/ranking"/);
    const glue = worker.find((s) => [s.Action].flat().includes('glue:GetTable'));
    expect(JSON.stringify(glue?.Resource)).toMatch(/:table\/\*\/\*"/);
    expect([glue?.Action].flat().filter((a) => !/^glue:(Get|BatchGet)/.test(a))).toEqual([]);
    const objects = worker.find(
      (s) =>
        [s.Action].flat().includes('s3:PutObject') && JSON.stringify(s.Resource).includes('movie-rankings'),
    );
    expect(objects?.Resource).toBe(`${results}/*`);
    expect(
      actionsOf(statementsOfRole(custom.template, roles.scheduler)).filter((a) => a.startsWith('athena:')),
    ).toEqual([]);
    expect(() => synthStack({ updraft: { athena: { workgroups: ['my wg'] } } })).toThrow(
      'Updraft: athena.workgroups has an invalid name "my wg"',
    );
  });

  it('lets workers invoke only the listed functions (lambdaInvoke), none by default', () => {
    for (const role of [roles.scheduler, roles.worker, roles.api])
      expect(
        actionsOf(statementsOfRole(template, role)).filter((a) => a === 'lambda:InvokeFunction').length,
      ).toBe(
        role === roles.api ? 1 : 0, // the api's is the scheduler kick
      );
    const custom = synthStack({
      updraft: {
        invokableFunctions: ['score-model', 'arn:aws:lambda:eu-west-1:123456789012:function:etl-*'],
      },
    }).template;
    const invoke = statementsOfRole(custom, roles.worker4096).find(
      (s) => s.Action === 'lambda:InvokeFunction',
    );
    expect(JSON.stringify(invoke?.Resource)).toMatch(/:function:score-model"/);
    expect(invoke?.Resource).toContainEqual('arn:aws:lambda:eu-west-1:123456789012:function:etl-*');
    expect(() => synthStack({ updraft: { invokableFunctions: ['not a name'] } })).toThrow(
      'invokableFunctions entry "not a name" is not a function name or ARN',
    );
  });

  it('scopes the kick to the scheduler and secrets to updraft/*', () => {
    const invoke = statementsOfRole(template, roles.api).find((s) => s.Action === 'lambda:InvokeFunction');
    expect(invoke?.Resource).toEqual({ 'Fn::GetAtt': [fn(scheduler), 'Arn'] });
    const secrets = statementsOfRole(template, roles.worker).find(
      (s) => s.Action === 'secretsmanager:GetSecretValue',
    );
    expect(JSON.stringify(secrets?.Resource)).toMatch(/:secret:updraft\/\*"/);
  });

  it('scopes object access to prefixes: bundles read-only, logs write-only for the worker', () => {
    const worker = statementsOfRole(template, roles.worker);
    const resourcesFor = (action: string) =>
      JSON.stringify(worker.filter((s) => [s.Action].flat().includes(action)).map((s) => s.Resource));
    expect(resourcesFor('s3:GetObject')).toContain('/bundles/*');
    expect(resourcesFor('s3:GetObject')).not.toContain('/logs/*');
    expect(resourcesFor('s3:PutObject')).toContain('/logs/*');
    expect(resourcesFor('s3:PutObject')).not.toContain('/bundles/*');
  });
});

describe('monitoring and outputs', () => {
  const topic = logicalId(template, 'AWS::SNS::Topic', 'OrchestratorMonitoringAlarmTopic');
  const alarm = (prefix: string) =>
    template.toJSON().Resources[logicalId(template, 'AWS::CloudWatch::Alarm', prefix)].Properties;

  it('alarms on the shared DLQ depth and scheduler errors to the SNS topic', () => {
    const dlq = logicalId(template, 'AWS::SQS::Queue', 'OrchestratorTaskQueueDeadLetterQueue');
    expect(alarm('OrchestratorMonitoringDeadLetters')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      AlarmActions: [{ Ref: topic }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn(scheduler) } }],
      AlarmActions: [{ Ref: topic }],
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    synthStack({ updraft: { alarmEmail: 'ops@example.com' } }).template.hasResourceProperties(
      'AWS::SNS::Subscription',
      {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
      },
    );
  });

  it('alarms on the errors of every worker class summed', () => {
    const props = alarm('OrchestratorMonitoringWorkerErrors');
    expect(props.AlarmActions).toEqual([{ Ref: topic }]);
    const [sum, ...inputs] = props.Metrics as Json[];
    expect(sum.Expression).toBe('SUM([errors1024,errors4096,errors10240])');
    expect(
      inputs.map((m) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions[0].Value]),
    ).toEqual(
      [1024, 4096, 10240].map((mib) => [
        `errors${mib}`,
        'Errors',
        { Ref: fn(`OrchestratorWorker${mib}HandlerFunction`) },
      ]),
    );
  });

  it('alarms on failed runs from the runtime metrics (Sum over 5 min ≥ threshold)', () => {
    expect(alarm('OrchestratorMonitoringFailedRuns')).toMatchObject({
      Namespace: 'Updraft/Updraft',
      MetricName: 'RunsFinished',
      Dimensions: [{ Name: 'State', Value: 'failed' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    });
    const custom = synthStack({ updraft: { failedRunsThreshold: 5, metricsNamespace: 'Acme' } }).template;
    custom.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Acme',
      MetricName: 'RunsFinished',
      Threshold: 5,
    });
  });

  it('alarms on SLA misses (SlaMisses, no dimensions)', () => {
    expect(alarm('OrchestratorMonitoringSlaMisses')).toMatchObject({
      Namespace: 'Updraft/Updraft',
      MetricName: 'SlaMisses',
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [{ Ref: topic }],
    });
    expect(alarm('OrchestratorMonitoringSlaMisses').Dimensions).toBeUndefined();
  });

  it('charts runs, task outcomes, dispatch latency, queues, DLQ, scheduler, workers and API', () => {
    const widgets = dashboardWidgets(template);
    const metricsOf = (title: string) => {
      const widget = widgets.find((w) => w.properties.title.startsWith(title));
      if (!widget)
        throw new Error(`no widget ${title}: ${widgets.map((w) => w.properties.title).join(', ')}`);
      return widget.properties.metrics;
    };
    expect(metricsOf('Runs finished').map((m) => m.slice(0, 4))).toEqual(
      ['success', 'failed'].map((state) => ['Updraft/Updraft', 'RunsFinished', 'State', state]),
    );
    expect(metricsOf('Task attempts by outcome').map((m) => [m.slice(0, 4), m[4].stat])).toEqual(
      ['success', 'failed', 'up_for_retry', 'skipped', 'up_for_reschedule', 'out_of_memory'].map((o) => [
        ['Updraft/Updraft', 'TaskAttempts', 'Outcome', o],
        'Sum',
      ]),
    );
    expect(metricsOf('Dispatch latency').map((m) => [m[0], m[1], m[2].stat])).toEqual([
      ...['p50', 'p90', 'Maximum'].map((stat) => ['Updraft/Updraft', 'DispatchLatency', stat]),
      ['Updraft/Updraft', 'SlaMisses', 'Sum'],
    ]);
    const depth = metricsOf('Task queues').filter((m) => m[1] === 'ApproximateNumberOfMessagesVisible');
    expect(depth.map((m) => m.at(-1).label)).toEqual(['1024 MiB', '4096 MiB', '10240 MiB']);
    expect(metricsOf('Dead-letter queue').map((m) => m[1])).toEqual(['ApproximateNumberOfMessagesVisible']);
    expect(metricsOf('Scheduler tick').map((m) => m[1])).toEqual([
      'Duration',
      'Duration',
      'Errors',
      'Throttles',
    ]);
    const invocations = metricsOf('Worker invocations').filter((m) => m[1] === 'Invocations');
    expect(invocations).toHaveLength(3);
    expect(
      metricsOf('Worker invocations')
        .map((m) => m[0].expression)
        .filter(Boolean),
    ).toEqual([
      'SUM([errors1024,errors4096,errors10240])',
      'SUM([throttles1024,throttles4096,throttles10240])',
    ]);
    expect(metricsOf('API').map((m) => m[1])).toEqual(['Count', '4xx', '5xx']);
  });

  it('outputs the API URL, bucket, table, queues and dashboard URL', () => {
    const outputs = template.toJSON().Outputs;
    for (const name of [
      'ApiUrl',
      'BucketName',
      'TableName',
      'QueueUrl',
      'WorkerQueues',
      'DashboardUrl',
      'MetricsNamespace',
    ])
      expect(Object.keys(outputs).some((id) => id.startsWith(`Orchestrator${name}`))).toBe(true);
    expect(Object.keys(outputs).some((id) => id.includes('EcsCluster') || id.includes('DagBundle'))).toBe(
      false,
    );
  });
});
