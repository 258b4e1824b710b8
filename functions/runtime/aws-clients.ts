import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { attachRequestCounter, type RequestCounter } from '../adapters/aws/request-counter';
import type { RuntimeConfig } from './config';

/** The SDK clients of one process, optionally counting requests (tests and the benchmark). */
export interface AwsClients {
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  secrets: SecretsManagerClient;
  logs: CloudWatchLogsClient;
  /** SNS notifiers (task and DAG callbacks). */
  sns: SNSClient;
  /** Athena queries (athena_query tasks; unused in local mode, which has no Athena). */
  athena: AthenaClient;
  /** lambda_invoke tasks (unused in local mode, which has no Lambda). */
  lambda: LambdaClient;
  /** Container tasks on ECS Fargate (unused in local mode, which runs them as processes). */
  ecs: ECSClient;
}

/**
 * Creates the clients once per process. With an endpoint override (emulators), S3 uses path
 * style and checksums only when required, and SQS keeps the endpoint instead of the queue URL's
 * host (design §8).
 */
export function createAwsClients(
  config: Pick<RuntimeConfig, 'awsEndpoint'>,
  options: {
    counter?: RequestCounter;
    region?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    /** Per-service endpoints (local mode: dynalite for DynamoDB, fauxqs for SQS and S3); override `awsEndpoint`. */
    endpoints?: Partial<Record<keyof AwsClients, string>>;
  } = {},
): AwsClients {
  const endpointOf = (service: keyof AwsClients) => options.endpoints?.[service] ?? config.awsEndpoint;
  const common = (service: keyof AwsClients) => {
    const endpoint = endpointOf(service);
    return {
      ...(endpoint && { endpoint }),
      ...(options.region && { region: options.region }),
      ...(options.credentials && { credentials: options.credentials }),
    };
  };
  const emulated = (service: keyof AwsClients) => endpointOf(service) !== undefined;
  const clients: AwsClients = {
    dynamo: new DynamoDBClient(common('dynamo')),
    sqs: new SQSClient({ ...common('sqs'), ...(emulated('sqs') && { useQueueUrlAsEndpoint: false }) }),
    s3: new S3Client({
      ...common('s3'),
      ...(emulated('s3') && {
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED' as const,
        responseChecksumValidation: 'WHEN_REQUIRED' as const,
      }),
    }),
    secrets: new SecretsManagerClient(common('secrets')),
    logs: new CloudWatchLogsClient(common('logs')),
    sns: new SNSClient(common('sns')),
    athena: new AthenaClient(common('athena')),
    lambda: new LambdaClient(common('lambda')),
    ecs: new ECSClient(common('ecs')),
  };
  if (options.counter)
    for (const client of Object.values(clients)) attachRequestCounter(client, options.counter);
  return clients;
}
