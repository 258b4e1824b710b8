import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CliError, ExitCode } from '../errors';
import { type AwsCredentials, sigV4Headers } from './sigv4';

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
  const url = new URL(`https://cloudformation.${region}.amazonaws.com/`);
  url.search = new URLSearchParams({
    Action: 'DescribeStacks',
    StackName: stack,
    Version: '2010-05-15',
  }).toString();
  const headers = sigV4Headers(
    { method: 'GET', url },
    await identity.credentials(),
    {
      region,
      service: 'cloudformation',
    },
    new Date(),
  );
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new CliError(
      ExitCode.Failed,
      [`error: cannot reach CloudFormation in ${region}: ${String(error)}`],
      {
        cause: error,
      },
    );
  }
  const xml = await response.text();
  if (!response.ok) {
    const message = /<Message>([\s\S]*?)<\/Message>/.exec(xml)?.[1] ?? `HTTP ${response.status}`;
    throw new CliError(response.status >= 500 ? ExitCode.Failed : ExitCode.BadInput, [
      `error: stack ${stack} in ${region}: ${unescapeXml(message)}`,
    ]);
  }
  const value = stackOutput(xml, key);
  if (!value)
    throw new CliError(ExitCode.BadInput, [
      `error: stack ${stack} in ${region} has no ${key} output: is it an Updraft stack deployed with outputs?`,
    ]);
  return value;
}

/** One output of a DescribeStacks XML answer, by key. */
export function stackOutput(xml: string, key: string): string | undefined {
  for (const [, member = ''] of xml.matchAll(/<member>([\s\S]*?)<\/member>/g)) {
    if (/<OutputKey>([\s\S]*?)<\/OutputKey>/.exec(member)?.[1] !== key) continue;
    const value = /<OutputValue>([\s\S]*?)<\/OutputValue>/.exec(member)?.[1];
    if (value !== undefined) return unescapeXml(value);
  }
  return undefined;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
