import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requiredStackOutput } from '../../../scripts/cli/client/aws';
import { sigV4Headers } from '../../../scripts/cli/client/sigv4';
import { runMain } from './api-harness';

const EXAMPLE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('SigV4 signing for deployed stacks', () => {
  it("matches AWS's get-vanilla test vector", () => {
    const headers = sigV4Headers(
      { method: 'GET', url: new URL('https://example.amazonaws.com/') },
      EXAMPLE,
      { region: 'us-east-1', service: 'service' },
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(headers).toEqual({
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
  });

  it('signs the session token too', () => {
    const headers = sigV4Headers(
      {
        method: 'POST',
        url: new URL('https://abc.execute-api.eu-west-1.amazonaws.com/api/v1/dags'),
        body: '{}',
      },
      { ...EXAMPLE, sessionToken: 'TOKEN' },
      { region: 'eu-west-1', service: 'execute-api' },
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(headers['x-amz-security-token']).toBe('TOKEN');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it("reads a stack's outputs with CloudFormation DescribeStacks, and names a missing stack or output", async () => {
    const cfn = mockClient(CloudFormationClient);
    try {
      cfn.on(DescribeStacksCommand, { StackName: 'updraft' }).resolves({
        Stacks: [
          {
            StackName: 'updraft',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/' },
            ],
          },
        ],
      });
      cfn.on(DescribeStacksCommand, { StackName: 'nope' }).rejects(
        Object.assign(new Error('Stack with id nope does not exist'), {
          name: 'ValidationError',
          $fault: 'client',
        }),
      );
      const identity = {
        region: async () => 'eu-west-1',
        credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
      };
      expect(await requiredStackOutput('updraft', identity, 'eu-west-1', 'ApiUrl')).toBe(
        'https://abc.execute-api.eu-west-1.amazonaws.com/',
      );
      await expect(requiredStackOutput('updraft', identity, 'eu-west-1', 'BucketName')).rejects.toMatchObject(
        {
          lines: [
            'error: stack updraft in eu-west-1 has no BucketName output: is it an Updraft stack deployed with outputs?',
          ],
        },
      );
      await expect(requiredStackOutput('nope', identity, 'eu-west-1', 'ApiUrl')).rejects.toMatchObject({
        exitCode: 2,
        lines: ['error: stack nope in eu-west-1: Stack with id nope does not exist (ValidationError)'],
      });
    } finally {
      cfn.restore();
    }
  });
});

describe('updraft --auth sigv4 against a server that records requests', () => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ dag_id: 'etl', is_paused: true }));
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.stubEnv('AWS_ACCESS_KEY_ID', EXAMPLE.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', EXAMPLE.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    server.close();
  });

  it('signs with the credentials of the AWS SDK chain, for execute-api in the region', async () => {
    const result = await runMain(['dags', 'pause', 'etl', '--api-url', url, '--auth', 'sigv4']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('etl is paused');
    const request = seen.at(-1)!;
    expect(request.url).toBe('/api/v1/dags/etl?update_mask=is_paused');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('refuses --stack together with --api-url (exit 2)', async () => {
    const result = await runMain(['dags', 'pause', 'etl', '--api-url', url, '--stack', 'updraft']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('use either --stack or --api-url');
  });
});
