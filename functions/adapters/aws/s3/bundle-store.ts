import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Manifest } from '../../../core/model';
import { type BundleImportError, BundleNotFoundError, type BundleStore } from '../../../ports/bundle-store';
import { parseManifest } from '../../shared/manifest-codec';
import {
  assertBundlePath,
  assertBundleVersion,
  contentTypeOf,
  downloadBundle,
  forEachLimit,
} from './bundle-files';
import { bodyBytes, isNoSuchKey, isNotModified } from './s3-errors';

/** Options of `S3BundleStore`. */
export interface S3BundleStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of bundles and of the `current.json` pointer. Default `bundles/`. */
  prefix?: string;
  /** Where `localDir` unpacks versions. Default `<os tmpdir>/updraft-bundles` (Lambda's /tmp). */
  cacheDir?: string;
  /** Objects downloaded or uploaded at once. Default 8. */
  concurrency?: number;
}

const pointerSchema = z.object({ version: z.string().min(1) });
const importErrorsSchema = z.object({
  errors: z.array(z.object({ timestamp: z.string(), filename: z.string(), message: z.string() })),
});

/**
 * DAG bundles in S3: `<prefix><version>/…` (immutable) and `<prefix>current.json` (`{"version": …}`).
 * The pointer is re-read with `If-None-Match`, so an unchanged bundle costs one 304 per tick;
 * manifests and local folders are cached per version for the life of the process.
 */
export class S3BundleStore implements BundleStore {
  private readonly prefix: string;
  private readonly cacheDir: string;
  private readonly concurrency: number;
  private pointer: { etag: string; version: string } | undefined;
  private readonly manifests = new Map<string, Promise<Manifest>>();
  private readonly dirs = new Map<string, Promise<string>>();

  constructor(private readonly options: S3BundleStoreOptions) {
    this.prefix = options.prefix ?? 'bundles/';
    this.cacheDir = options.cacheDir ?? join(tmpdir(), 'updraft-bundles');
    this.concurrency = options.concurrency ?? 8;
  }

  async currentManifest(): Promise<Manifest | undefined> {
    const version = await this.currentVersion();
    return version === undefined ? undefined : this.manifest(version);
  }

  /** The version `current.json` names, or undefined before the first publish. */
  async currentVersion(): Promise<string | undefined> {
    const known = this.pointer;
    const key = `${this.prefix}current.json`;
    try {
      const output = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key, IfNoneMatch: known?.etag }),
      );
      const text = new TextDecoder().decode(await bodyBytes(output.Body));
      const pointer = pointerSchema.safeParse(safeJson(text));
      if (!pointer.success) {
        throw new Error(
          `s3://${this.options.bucket}/${key} is not {"version": "<version>"}: ${text.slice(0, 200)}`,
        );
      }
      const { version } = pointer.data;
      if (output.ETag) this.pointer = { etag: output.ETag, version };
      return version;
    } catch (error) {
      if (known && isNotModified(error)) return known.version;
      if (isNoSuchKey(error)) {
        this.pointer = undefined;
        return undefined;
      }
      throw error;
    }
  }

  manifest(version: string): Promise<Manifest> {
    return this.once(this.manifests, version, () => this.readManifest(version));
  }

  localDir(version: string): Promise<string> {
    return this.once(this.dirs, version, async () => {
      checkReadVersion(version);
      const dir = await downloadBundle({
        ...this.options,
        prefix: `${this.prefix}${version}/`,
        cacheDir: this.cacheDir,
        version,
        concurrency: this.concurrency,
      });
      if (dir === undefined) throw new BundleNotFoundError(version);
      return dir;
    });
  }

  async publish(version: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
    assertBundleVersion(version);
    for (const path of files.keys()) assertBundlePath(path);
    const manifestBytes = files.get('manifest.json');
    if (!manifestBytes) throw new Error(`bundle ${version} has no manifest.json; refusing to publish it`);
    const manifest = parseManifest(safeJson(new TextDecoder().decode(manifestBytes)), `bundle ${version}`);
    if (manifest.version !== version) {
      throw new Error(
        `bundle manifest.json says version ${manifest.version}, but it is published as ${version}`,
      );
    }
    await forEachLimit([...files], this.concurrency, ([path, body]) =>
      this.put(`${this.prefix}${version}/${path}`, body, contentTypeOf(path)),
    );
    // Last, and one small object: readers switch atomically from the old complete bundle to the new one.
    await this.put(`${this.prefix}current.json`, JSON.stringify({ version }), 'application/json');
  }

  /** `<prefix>import-errors.json` (`{"errors": […]}`); no object means no errors. */
  async importErrors(): Promise<BundleImportError[]> {
    const key = `${this.prefix}import-errors.json`;
    const text = await this.getText(key);
    if (text === undefined) return [];
    const parsed = importErrorsSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new Error(`s3://${this.options.bucket}/${key} is not {"errors": [...]}: ${text.slice(0, 200)}`);
    }
    return parsed.data.errors;
  }

  /** One small PUT that replaces the whole list: readers never see half of a build's errors. */
  async recordImportErrors(errors: readonly BundleImportError[]): Promise<void> {
    const body = {
      errors: errors.map(({ timestamp, filename, message }) => ({ timestamp, filename, message })),
    };
    await this.put(`${this.prefix}import-errors.json`, JSON.stringify(body), 'application/json');
  }

  /** The object's text, or undefined when there is no such key. */
  private async getText(key: string): Promise<string | undefined> {
    try {
      const output = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
      );
      return new TextDecoder().decode(await bodyBytes(output.Body));
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }

  private async readManifest(version: string): Promise<Manifest> {
    checkReadVersion(version);
    const key = `${this.prefix}${version}/manifest.json`;
    const text = await this.getText(key);
    if (text === undefined) throw new BundleNotFoundError(version);
    try {
      const manifest = parseManifest(JSON.parse(text), `s3://${this.options.bucket}/${key}`);
      if (manifest.version !== version) throw new Error(`its manifest says version ${manifest.version}`);
      return manifest;
    } catch (error) {
      throw new BundleNotFoundError(version, { cause: error });
    }
  }

  private async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.options.client.send(
      new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /** Shares one load per version between concurrent callers; a failed load is forgotten so it can be retried. */
  private once<T>(cache: Map<string, Promise<T>>, version: string, load: () => Promise<T>): Promise<T> {
    const cached = cache.get(version);
    if (cached) return cached;
    const loading = load();
    cache.set(version, loading);
    loading.catch(() => cache.delete(version));
    return loading;
  }
}

/** A version that cannot exist (it would escape its prefix or folder) is simply not found. */
function checkReadVersion(version: string): void {
  try {
    assertBundleVersion(version);
  } catch (error) {
    throw new BundleNotFoundError(version, { cause: error });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
