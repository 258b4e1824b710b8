import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/runtime/env-keys';
import { actionsOf, type Json, logicalId, resourcesOf, statementsOfRole, synthStack } from './synth-helper';

const { template } = synthStack();
const fn = (prefix: string) => logicalId(template, 'AWS::Lambda::Function', prefix);
const functionProps = (prefix: string) => template.toJSON().Resources[fn(prefix)].Properties;
const scheduler = 'OrchestratorSchedulerHandlerFunction';
const worker = 'OrchestratorWorkerHandlerFunction';
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

describe('task queue', () => {
  it('has SSE, TLS only and a DLQ after 3 receives', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const dlq = logicalId(template, 'AWS::SQS::Queue', 'OrchestratorTaskQueueDeadLetterQueue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 3 },
    });
    expect(resourcesOf(template, 'AWS::SQS::QueuePolicy')).toHaveLength(2);
  });

  it('derives the visibility timeout from the worker timeout (6 ×, capped at 12 h)', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 15 * 60 });
    expect(functionProps(worker).Timeout).toBe(15 * 60);
    synthStack({ updraft: { workerTimeout: Duration.minutes(5) } }).template.hasResourceProperties(
      'AWS::SQS::Queue',
      { VisibilityTimeout: 6 * 5 * 60 },
    );
  });
});

describe('functions', () => {
  it('run Node 22 on ARM64 with their own log group and JSON logs', () => {
    for (const prefix of [scheduler, worker, api]) {
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

  it('feed the worker from the queue with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fn(worker) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
    });
    expect(functionProps(worker).MemorySize).toBe(1024);
    const big = synthStack({ updraft: { workerMemorySize: 4096 } }).template;
    big.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 4096, Timeout: 900 });
    expect(() => synthStack({ updraft: { workerMemorySize: 64 } })).toThrow(/memorySize.*got 64/);
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
    worker: 'OrchestratorWorkerHandlerRole',
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
    expect(actions.scheduler.has('secretsmanager:GetSecretValue')).toBe(false);
    expect(actions.worker.has('sqs:ReceiveMessage')).toBe(true);
    expect(actions.worker.has('s3:PutObject')).toBe(true);
    expect(actions.worker.has('secretsmanager:GetSecretValue')).toBe(true);
    expect(actions.worker.has('lambda:InvokeFunction')).toBe(false);
    expect(actions.api.has('sqs:SendMessage')).toBe(false);
    expect(actions.api.has('s3:PutObject')).toBe(false);
    expect(actions.api.has('secretsmanager:GetSecretValue')).toBe(false);
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
  it('alarms on DLQ depth and scheduler errors to the SNS topic', () => {
    const topic = logicalId(template, 'AWS::SNS::Topic', 'OrchestratorMonitoringAlarmTopic');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
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

  it('charts queue, DLQ, scheduler, worker and API on a dashboard', () => {
    const [[, dashboard]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard') as [[string, Json]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Task queue', 'Dead-letter queue', 'Scheduler tick', 'Worker', 'API'])
      expect(body).toContain(title);
  });

  it('outputs the API URL, bucket, table, queue and dashboard URL', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const name of ['ApiUrl', 'BucketName', 'TableName', 'QueueUrl', 'DashboardUrl'])
      expect(outputs.some((id) => id.includes(name))).toBe(true);
  });
});
