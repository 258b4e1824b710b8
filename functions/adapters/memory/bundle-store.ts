import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Manifest } from '../../core/model';
import { type BundleImportError, BundleNotFoundError, type BundleStore } from '../../ports/bundle-store';
import { parseManifest } from '../shared/manifest-codec';

/** BundleStore in memory; `localDir` writes a version's files to a temp folder once. */
export class MemoryBundleStore implements BundleStore {
  private readonly versions = new Map<string, ReadonlyMap<string, Uint8Array>>();
  private readonly dirs = new Map<string, Promise<string>>();
  private current: string | undefined;
  private errors: BundleImportError[] = [];

  async currentManifest(): Promise<Manifest | undefined> {
    return this.current === undefined ? undefined : this.manifest(this.current);
  }

  async manifest(version: string): Promise<Manifest> {
    const bytes = this.versions.get(version)?.get('manifest.json');
    if (!bytes) throw new BundleNotFoundError(version);
    return parseManifest(JSON.parse(new TextDecoder().decode(bytes)), `memory bundle ${version}`);
  }

  async localDir(version: string): Promise<string> {
    const files = this.versions.get(version);
    if (!files) throw new BundleNotFoundError(version);
    let dir = this.dirs.get(version);
    if (!dir) {
      dir = (async () => {
        const root = await mkdtemp(path.join(tmpdir(), `updraft-bundle-${version}-`));
        for (const [name, bytes] of files) {
          await mkdir(path.dirname(path.join(root, name)), { recursive: true });
          await writeFile(path.join(root, name), bytes);
        }
        return root;
      })();
      this.dirs.set(version, dir);
    }
    return dir;
  }

  async publish(version: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
    this.versions.set(version, new Map(files));
    this.current = version;
  }

  async importErrors(): Promise<BundleImportError[]> {
    return structuredClone(this.errors);
  }

  async recordImportErrors(errors: readonly BundleImportError[]): Promise<void> {
    this.errors = structuredClone([...errors]);
  }
}
