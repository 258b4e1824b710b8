import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { attachRequestCounter, RequestCounter } from '../../functions/adapters/aws/request-counter';
import { S3BundleStore } from '../../functions/adapters/aws/s3/bundle-store';
import { createTestBucket, fauxqsS3Client } from '../helpers/fauxqs';
import {
  bundleFiles,
  bundleImportErrorsContract,
  bundleStoreContract,
  manifestFor,
} from './bundle-store.contract';

const cacheRoots: string[] = [];
afterAll(async () => {
  await Promise.all(cacheRoots.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshCacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'updraft-bundles-test-'));
  cacheRoots.push(dir);
  return dir;
}

async function fixture(options: { prefix?: string } = {}) {
  const client = fauxqsS3Client();
  const bucket = await createTestBucket(client);
  const cacheDir = await freshCacheDir();
  const counter = new RequestCounter();
  attachRequestCounter(client, counter);
  /** Another process on the same bucket (the scheduler, a worker): its own caches, its own client. */
  const reader = (dir = cacheDir) => {
    const readerClient = fauxqsS3Client();
    attachRequestCounter(readerClient, counter);
    return {
      store: new S3BundleStore({ client: readerClient, bucket, cacheDir: dir, ...options }),
      readerClient,
    };
  };
  const store = new S3BundleStore({ client, bucket, cacheDir, ...options });
  return { client, bucket, cacheDir, counter, store, reader };
}

/** Records each GetObject attempt's HTTP status. */
function recordStatuses(client: S3Client): number[] {
  const statuses: number[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        statuses.push((result.response as { statusCode: number }).statusCode);
        return result;
      } catch (error) {
        statuses.push((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode);
        throw error;
      }
    },
    { step: 'deserialize', name: 'recordStatuses', priority: 'high' },
  );
  return statuses;
}

bundleStoreContract('S3BundleStore on fauxqs', async () => (await fixture()).store);
bundleImportErrorsContract('S3BundleStore on fauxqs', async () => (await fixture()).store);

describe('S3BundleStore', () => {
  it('lays bundles out as bundles/<version>/… with current.json written last', async () => {
    const { client, bucket, store } = await fixture();
    const keys: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        keys.push((args.input as { Key: string }).Key);
        return next(args);
      },
      { step: 'initialize', name: 'recordPuts', priority: 'low' },
    );
    await store.publish('v1', bundleFiles('v1'));
    expect(keys.at(-1)).toBe('bundles/current.json');
    expect(keys.slice(0, -1).sort()).toEqual([
      'bundles/v1/code/etl.dag.mjs',
      'bundles/v1/code/lib/util.mjs',
      'bundles/v1/manifest.json',
    ]);
    const pointer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'bundles/current.json' }));
    expect(JSON.parse(await pointer.Body!.transformToString())).toEqual({ version: 'v1' });
    const head = (Key: string) => client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    expect((await head('bundles/v1/manifest.json')).ContentType).toBe('application/json');
    expect((await head('bundles/v1/code/etl.dag.mjs')).ContentType).toBe('text/javascript');
  });

  it('re-reads an unchanged pointer with a 304 and never downloads the manifest again', async () => {
    const { store: writer, reader, counter } = await fixture();
    await writer.publish('v1', bundleFiles('v1'));
    const { store, readerClient } = reader();
    const statuses = recordStatuses(readerClient);
    counter.reset();
    for (let tick = 0; tick < 3; tick++) expect((await store.currentManifest())?.version).toBe('v1');
    // Tick 1: pointer (200) + manifest (200). Ticks 2 and 3: the pointer only, 304 Not Modified.
    expect(statuses).toEqual([200, 200, 304, 304]);
    expect(counter.count('S3', 'GetObject')).toEqual({ calls: 4, attempts: 4 });
    expect(counter.byService()).toEqual({ S3: { calls: 4, attempts: 4 } });
  });

  it('sees a switch published by another process on its next read', async () => {
    const { store: writer, reader } = await fixture();
    await writer.publish('v1', bundleFiles('v1'));
    const { store } = reader();
    expect((await store.currentManifest())?.version).toBe('v1');
    await writer.publish('v2', bundleFiles('v2'));
    expect(await store.currentManifest()).toEqual(manifestFor('v2'));
    expect(await store.currentVersion()).toBe('v2');
  });

  it('downloads a version once under concurrency, then serves it from disk', async () => {
    const { store: writer, reader, counter, cacheDir } = await fixture();
    await writer.publish('v1', bundleFiles('v1'));
    const { store } = reader();
    counter.reset();
    const dirs = await Promise.all(Array.from({ length: 5 }, () => store.localDir('v1')));
    expect(new Set(dirs)).toEqual(new Set([join(cacheDir, 'v1')]));
    expect(counter.count('S3', 'ListObjectsV2').calls).toBe(1);
    expect(counter.count('S3', 'GetObject').calls).toBe(3);
    // A new process (a warm Lambda's /tmp, a restarted dev server) finds the folder and reuses it.
    counter.reset();
    expect(await reader().store.localDir('v1')).toBe(join(cacheDir, 'v1'));
    expect(counter.snapshot()).toEqual([]);
  });

  it('leaves no half folder when a download fails, and retries on the next call', async () => {
    const { store: writer, reader, cacheDir } = await fixture();
    await writer.publish('v1', bundleFiles('v1'));
    const { store, readerClient } = reader();
    let gets = 0;
    readerClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetObjectCommand' && ++gets === 2) throw new Error('connection reset');
        return next(args);
      },
      { step: 'initialize', name: 'failSecondGet', priority: 'low' },
    );
    await expect(store.localDir('v1')).rejects.toThrow('connection reset');
    expect(await readdir(cacheDir)).toEqual([]);
    expect(await store.localDir('v1')).toBe(join(cacheDir, 'v1'));
    expect((await readdir(cacheDir)).sort()).toEqual(['v1']);
  });

  it('uses a custom prefix', async () => {
    const { store, client, bucket } = await fixture({ prefix: 'team-a/bundles/' });
    await store.publish('v1', bundleFiles('v1'));
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'team-a/bundles/current.json' }));
    expect((await store.currentManifest())?.version).toBe('v1');
  });

  it('rejects a corrupt pointer with an error naming the object', async () => {
    const { store, client, bucket } = await fixture();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'bundles/current.json', Body: 'v1' }));
    await expect(store.currentManifest()).rejects.toThrow(/bundles\/current\.json is not \{"version"/);
  });

  it('reports an unreadable manifest as a missing bundle, with the cause', async () => {
    const { store, client, bucket } = await fixture();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'bundles/v1/manifest.json', Body: '{' }));
    const other = 'bundles/v2/manifest.json';
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: other, Body: JSON.stringify(manifestFor('v3')) }),
    );
    await expect(store.manifest('v1')).rejects.toMatchObject({
      name: 'BundleNotFoundError',
      cause: expect.any(SyntaxError),
    });
    await expect(store.manifest('v2')).rejects.toMatchObject({
      cause: { message: 'its manifest says version v3' },
    });
  });

  it('propagates S3 errors other than a missing key', async () => {
    const client = fauxqsS3Client({ maxAttempts: 1 });
    const store = new S3BundleStore({
      client,
      bucket: 'no-such-bucket-updraft',
      cacheDir: await freshCacheDir(),
    });
    await expect(store.currentManifest()).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(store.manifest('v1')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('keeps import errors in one object, <prefix>import-errors.json', async () => {
    const { store, client, bucket } = await fixture({ prefix: 'team-a/bundles/' });
    const errors = [{ timestamp: '2024-05-01T10:00:00.000Z', filename: 'etl.dag.ts', message: 'boom' }];
    await store.recordImportErrors(errors);
    const object = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'team-a/bundles/import-errors.json' }),
    );
    expect(object.ContentType).toBe('application/json');
    expect(JSON.parse(await object.Body!.transformToString())).toEqual({ errors });
  });

  it('rejects a corrupt import-errors object with an error naming it', async () => {
    const { store, client, bucket } = await fixture();
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'bundles/import-errors.json', Body: '[1]' }),
    );
    await expect(store.importErrors()).rejects.toThrow(/bundles\/import-errors\.json is not \{"errors"/);
  });
});
