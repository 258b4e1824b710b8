import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../../ports/blob-store';

/** Blobs as files under a folder (local mode); a write goes to a temp file renamed into place. */
export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, body: string | Uint8Array, _contentType: string): Promise<void> {
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, body);
    await rename(temp, file);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.fileOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private fileOf(key: string): string {
    const file = path.resolve(this.root, key);
    if (!file.startsWith(path.resolve(this.root) + path.sep))
      throw new RangeError(`blob key escapes the store: ${key}`);
    return file;
  }
}
