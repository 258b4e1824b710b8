import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Command } from 'commander';
import { S3BundleStore } from '../../../functions/adapters/aws/s3/bundle-store';
import { FileBundleStore } from '../../../functions/adapters/local/file-bundle-store';
import type { BundleStore } from '../../../functions/ports/bundle-store';
import { BundleRejectedError, publishDagsFolder } from '../../local/publish';
import { defaultAwsIdentity, requiredStackOutput } from '../client/aws';
import { CliError, ExitCode } from '../errors';
import { type Io, printJson } from '../io';
import { withDagsOptions } from '../options';

interface UploadOptions {
  dagsFolder: string;
  bucket?: string;
  stack?: string;
  home: string;
  json: boolean;
}

/**
 * `updraft dags upload`: build the DAGs folder and publish it as the current bundle — to a
 * deployed stack's bucket (`--stack NAME` reads its BucketName output, or `--bucket`), or to
 * the local data folder. A folder that does not build is refused (exit 2, problems listed and
 * recorded as import errors) and the current bundle keeps running.
 */
export function registerDagsUpload(dags: Command, io: Io): void {
  withDagsOptions(
    dags.command('upload').description('build and publish the DAG bundle (local data folder, or a stack)'),
  )
    .option(
      '--stack <name>',
      "a deployed Updraft stack: upload to its bucket (read from the stack's outputs)",
    )
    .option('--bucket <name>', 'upload to this S3 bucket')
    .option(
      '--home <dir>',
      'local data folder when neither --stack nor --bucket is given (env UPDRAFT_HOME)',
      process.env.UPDRAFT_HOME ?? '.updraft',
    )
    .option('--json', 'print the result as JSON', false)
    .action(async (options: UploadOptions) => {
      const { store, target } = await targetOf(options);
      io.err(`building ${options.dagsFolder}/ and uploading to ${target} …`);
      const before = (await store.currentManifest())?.version;
      try {
        const built = await publishDagsFolder(store, options.dagsFolder);
        const version = built.manifest.version;
        const bytes = [...built.files.values()].reduce((n, f) => n + f.length, 0);
        const result = {
          version,
          previous_version: before ?? null,
          changed: before !== version,
          dag_ids: built.manifest.dags.map((d) => d.dagId),
          files: built.files.size + 1,
          bytes,
          target,
        };
        if (options.json) printJson(io, result);
        else {
          io.out(
            result.changed
              ? `uploaded bundle ${version} (${result.files} files, ${Math.round(bytes / 1024)} KiB, ${result.dag_ids.length} DAGs) to ${target}; new runs use it`
              : `bundle ${version} is already current at ${target}; nothing uploaded`,
          );
        }
      } catch (error) {
        if (!(error instanceof BundleRejectedError)) throw error;
        throw new CliError(ExitCode.BadInput, [
          ...error.problems.map((p) => `error: ${p}`),
          `nothing uploaded; the current bundle${before ? ` ${before}` : ''} keeps running`,
        ]);
      }
    });
}

async function targetOf(options: UploadOptions): Promise<{ store: BundleStore; target: string }> {
  if (options.stack && options.bucket)
    throw new CliError(ExitCode.BadInput, ['error: use either --stack or --bucket, not both']);
  let bucket = options.bucket;
  if (options.stack) {
    const identity = defaultAwsIdentity();
    const region = await identity.region();
    if (!region)
      throw new CliError(ExitCode.BadInput, [
        'error: no AWS region: set AWS_REGION (or a region in your AWS profile)',
      ]);
    bucket = await requiredStackOutput(options.stack, identity, region, 'BucketName');
  }
  if (bucket)
    return {
      store: new S3BundleStore({ client: s3Client(), bucket }),
      target: `s3://${bucket}/bundles/`,
    };
  const root = path.join(options.home, 'bundles');
  return { store: new FileBundleStore(root), target: root };
}

/** The default AWS client, or one on `UPDRAFT_AWS_ENDPOINT` (an emulator) with path-style addressing. */
function s3Client(): S3Client {
  const endpoint = process.env.UPDRAFT_AWS_ENDPOINT;
  if (!endpoint) return new S3Client({});
  return new S3Client({
    endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
