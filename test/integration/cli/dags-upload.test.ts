import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { S3BundleStore } from '../../../functions/adapters/aws/s3/bundle-store';
import { FileBundleStore } from '../../../functions/adapters/local/file-bundle-store';
import { main } from '../../../scripts/cli/program';
import { createTestBucket, fauxqsEndpoint, fauxqsS3Client } from '../../helpers/fauxqs';

/** A fresh bucket on the S3 emulator, with the env the CLI's AWS clients read pointed at it. */
async function emulatedBucket(region: string) {
  const s3 = fauxqsS3Client();
  const bucket = await createTestBucket(s3);
  vi.stubEnv('UPDRAFT_AWS_ENDPOINT', fauxqsEndpoint());
  vi.stubEnv('AWS_REGION', region);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  return { s3, bucket };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

afterEach(() => vi.unstubAllEnvs());

describe('updraft dags upload', () => {
  it('publishes to the local data folder, then reports an unchanged bundle without uploading', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'updraft-upload-'));
    const first = capture();
    const argv = [
      'node',
      'updraft',
      'dags',
      'upload',
      '--dags-folder',
      'test/fixtures/dags/valid',
      '--home',
      home,
      '--json',
    ];
    expect(await main(argv, first.io)).toBe(0);
    const result = JSON.parse(first.out.join(''));
    expect(result).toMatchObject({
      changed: true,
      previous_version: null,
      dag_ids: ['etl', 'reports_hourly', 'reports_manual'],
    });
    expect((await new FileBundleStore(path.join(home, 'bundles')).currentManifest())?.version).toBe(
      result.version,
    );
    const again = capture();
    expect(await main(argv, again.io)).toBe(0);
    expect(JSON.parse(again.out.join(''))).toMatchObject({ changed: false, version: result.version });
  });

  it('refuses a bundle that does not build: exit 2, problems listed and recorded, current bundle kept', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'updraft-upload-'));
    await main(
      ['node', 'updraft', 'dags', 'upload', '--dags-folder', 'test/fixtures/dags/valid', '--home', home],
      capture().io,
    );
    const bad = capture();
    const code = await main(
      ['node', 'updraft', 'dags', 'upload', '--dags-folder', 'test/fixtures/dags/cycle', '--home', home],
      bad.io,
    );
    expect(code).toBe(2);
    expect(bad.err.join('\n')).toMatch(
      /cycle: a → b → a[\s\S]*nothing uploaded; the current bundle [0-9a-f]{16} keeps running/,
    );
    const store = new FileBundleStore(path.join(home, 'bundles'));
    expect((await store.currentManifest())?.dags.map((d) => d.dagId)).toEqual([
      'etl',
      'reports_hourly',
      'reports_manual',
    ]);
    expect((await store.importErrors())[0]).toMatchObject({ filename: 'cycle.dag.ts' });
  });

  it('uploads to an S3 bucket (an emulator here) and switches current.json', async () => {
    const { s3, bucket } = await emulatedBucket('us-east-1');
    const run = capture();
    const code = await main(
      ['node', 'updraft', 'dags', 'upload', '--dags-folder', 'test/fixtures/dags/valid', '--bucket', bucket],
      run.io,
    );
    expect(code, run.err.join('\n')).toBe(0);
    expect(run.out.join('')).toMatch(
      new RegExp(`uploaded bundle [0-9a-f]{16} .* to s3://${bucket}/bundles/`),
    );
    const manifest = await new S3BundleStore({ client: s3, bucket }).currentManifest();
    expect(manifest?.dags).toHaveLength(3);
  });

  it('uploads to a deployed stack: --stack reads its BucketName output (CloudFormation mocked, S3 emulated)', async () => {
    const { s3, bucket } = await emulatedBucket('eu-west-1');
    const cfn = mockClient(CloudFormationClient);
    try {
      cfn.on(DescribeStacksCommand, { StackName: 'Updraft' }).resolves({
        Stacks: [
          {
            StackName: 'Updraft',
            CreationTime: new Date(),
            StackStatus: 'UPDATE_COMPLETE',
            Outputs: [
              { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/' },
              { OutputKey: 'BucketName', OutputValue: bucket },
            ],
          },
        ],
      });
      const run = capture();
      const code = await main(
        [
          'node',
          'updraft',
          'dags',
          'upload',
          '--dags-folder',
          'test/fixtures/dags/valid',
          '--stack',
          'Updraft',
        ],
        run.io,
      );
      expect(code, run.err.join('\n')).toBe(0);
      expect(run.out.join('')).toContain(`to s3://${bucket}/bundles/`);
      expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
      const manifest = await new S3BundleStore({ client: s3, bucket }).currentManifest();
      expect(manifest?.dags.map((d) => d.dagId).sort()).toEqual(['etl', 'reports_hourly', 'reports_manual']);

      const both = capture();
      expect(
        await main(['node', 'updraft', 'dags', 'upload', '--stack', 'Updraft', '--bucket', bucket], both.io),
      ).toBe(2);
      expect(both.err.join('')).toContain('use either --stack or --bucket, not both');
    } finally {
      cfn.restore();
    }
  });
});
