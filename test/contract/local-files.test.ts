import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../functions/adapters/local/file-blob-store';
import { FileBundleStore } from '../../functions/adapters/local/file-bundle-store';
import { FileLogStore } from '../../functions/adapters/local/file-log-store';
import { blobStoreContract } from './blob-store.contract';
import { bundleFiles, bundleImportErrorsContract, bundleStoreContract } from './bundle-store.contract';
import { logSinkContract } from './log-sink.contract';

const folder = () => mkdtemp(path.join(tmpdir(), 'updraft-local-'));

// Local mode keeps bundles, logs and blobs on disk; they must behave like their S3 counterparts.
bundleStoreContract('FileBundleStore', async () => new FileBundleStore(await folder()));
bundleImportErrorsContract('FileBundleStore', async () => new FileBundleStore(await folder()));
blobStoreContract('FileBlobStore', async () => new FileBlobStore(await folder()));
logSinkContract('FileLogStore', async ({ clock }) => new FileLogStore(await folder(), clock));

describe('FileBundleStore with a relative root (the default .updraft/bundles)', () => {
  it('publishes and reads back', async () => {
    const absolute = await folder();
    const relative = path.relative(process.cwd(), absolute);
    const store = new FileBundleStore(relative);
    await store.publish('v1', bundleFiles('v1'));
    expect((await new FileBundleStore(absolute).currentManifest())?.version).toBe('v1');
  });
});
