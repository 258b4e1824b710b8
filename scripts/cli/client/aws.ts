import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CliError, ExitCode } from '../errors';
import type { AwsCredentials } from './sigv4';

/** Region and credentials of the caller, as the AWS SDK resolves them (env, profile, SSO, instance role…). */
export interface AwsIdentity {
  region: () => Promise<string | undefined>;
  credentials: () => Promise<AwsCredentials>;
}

/**
 * The SDK's default region and credential chains, borrowed from a client the project already
 * depends on (no request is sent to DynamoDB); resolved on first use, failures as CliErrors.
 */
export function defaultAwsIdentity(): AwsIdentity {
  const { config } = new DynamoDBClient({});
  let cached: Promise<AwsCredentials> | undefined;
  return {
    region: () => config.region().catch(() => undefined),
    credentials: () => {
      cached ??= config.credentials().catch((error: unknown) => {
        throw new CliError(
          ExitCode.BadInput,
          [
            `error: no AWS credentials to sign the request (${(error as Error).message}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --auth token`,
          ],
          { cause: error },
        );
      });
      return cached;
    },
  };
}

/** The region of an API Gateway URL (`<id>.execute-api.<region>.amazonaws.com`), if it is one. */
export function regionOfApiUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(url).hostname)?.[1];
}

/** The `ApiUrl` output of a deployed Updraft stack (CloudFormation DescribeStacks, SigV4-signed). */
export function stackApiUrl(stack: string, identity: AwsIdentity, region: string): Promise<string> {
  return requiredStackOutput(stack, identity, region, 'ApiUrl');
}

/** One output of a deployed Updraft stack, or a clear error naming the stack and the missing key. */
export async function requiredStackOutput(
  stack: string,
  identity: AwsIdentity,
  region: string,
  key: string,
): Promise<string> {
  const client = new CloudFormationClient({ region, credentials: identity.credentials });
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stack }));
    outputs = Stacks[0]?.Outputs ?? [];
  } catch (error) {
    if (error instanceof CliError) throw error;
    const { name, message, $fault } = error as Error & { $fault?: string };
    // CloudFormation answers an unknown stack with a ValidationError ("Stack with id X does not exist").
    const exit = $fault === 'client' ? ExitCode.BadInput : ExitCode.Failed;
    throw new CliError(exit, [`error: stack ${stack} in ${region}: ${message} (${name})`], { cause: error });
  } finally {
    client.destroy();
  }
  const value = outputs.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value)
    throw new CliError(ExitCode.BadInput, [
      `error: stack ${stack} in ${region} has no ${key} output: is it an Updraft stack deployed with outputs?`,
    ]);
  return value;
}
