import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { bodyBytes } from './s3-errors';

const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Throws unless `version` is safe as one S3 key segment and one folder name (no `/`, no `..`). */
export function assertBundleVersion(version: string): void {
  if (!VERSION.test(version)) {
    throw new RangeError(
      `invalid bundle version ${JSON.stringify(version)}: expected [A-Za-z0-9._-], ≤ 128 chars`,
    );
  }
}

/** Throws unless `path` is a relative path inside the bundle (so no file can land outside its folder). */
export function assertBundlePath(path: string): void {
  const segments = path.split('/');
  if (path.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new RangeError(
      `invalid bundle file path ${JSON.stringify(path)}: expected a relative path like code/a.mjs`,
    );
  }
}

/** The Content-Type of a bundle file, by extension. */
export function contentTypeOf(path: string): string {
  if (/\.(json|map)$/.test(path)) return 'application/json';
  if (/\.(mjs|cjs|js)$/.test(path)) return 'text/javascript';
  return 'application/octet-stream';
}

/** Where and what `downloadBundle` fetches. */
export interface DownloadOptions {
  client: S3Client;
  bucket: string;
  /** The version's key prefix, ending in `/`. */
  prefix: string;
  cacheDir: string;
  version: string;
  concurrency: number;
}

/**
 * Downloads every object under `prefix` into `<cacheDir>/<version>`, or returns undefined when there
 * is none. Files go to a temp folder renamed into place at the end, so a crash never leaves a half
 * bundle; a folder already there was complete when renamed, and is reused as is.
 */
export async function downloadBundle(options: DownloadOptions): Promise<string | undefined> {
  const target = join(options.cacheDir, options.version);
  if (await isDirectory(target)) return target;
  const keys = await listKeys(options);
  if (keys.length === 0) return undefined;
  const temp = join(options.cacheDir, `.${options.version}.${randomUUID()}.partial`);
  try {
    await mkdir(temp, { recursive: true });
    await forEachLimit(keys, options.concurrency, async (key) => {
      const path = key.slice(options.prefix.length);
      assertBundlePath(path);
      const output = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
      const file = join(temp, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await bodyBytes(output.Body));
    });
    try {
      await rename(temp, target);
    } catch (error) {
      // Another process (a local dev server sharing the cache) finished first: its copy is as good.
      if (!(await isDirectory(target))) throw error;
      await rm(temp, { recursive: true, force: true });
    }
    return target;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Runs `task` on every item, `concurrency` at a time. After a failure no new item starts, and it
 * waits for the running ones before rethrowing the first error (so a caller may clean up safely).
 */
export async function forEachLimit<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await task(items[next++]!);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed) throw firstError;
}

async function listKeys(options: DownloadOptions): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await options.client.send(
      new ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && !object.Key.endsWith('/')) keys.push(object.Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
