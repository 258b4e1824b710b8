import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../../core/model';
import { type BundleImportError, BundleNotFoundError, type BundleStore } from '../../ports/bundle-store';
import { parseManifest } from '../shared/manifest-codec';

/**
 * Bundles on disk (local mode), laid out like the S3 bucket: `<root>/<version>/…`,
 * `<root>/current.json` and `<root>/import-errors.json`. Versions are written to a temp folder
 * and renamed into place, the pointer is replaced atomically, so a crash never leaves half a bundle.
 */
export class FileBundleStore implements BundleStore {
  private readonly manifests = new Map<string, Promise<Manifest>>();
  private readonly root: string;

  /** `root` may be relative (`.updraft/bundles`); it is resolved once so path checks compare like with like. */
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async currentManifest(): Promise<Manifest | undefined> {
    const pointer = await this.readJson(path.join(this.root, 'current.json'));
    if (pointer === undefined) return undefined;
    const version = (pointer as { version?: unknown }).version;
    if (typeof version !== 'string')
      throw new Error(`${path.join(this.root, 'current.json')} has no version`);
    return this.manifest(version);
  }

  manifest(version: string): Promise<Manifest> {
    let loading = this.manifests.get(version);
    if (!loading) {
      loading = Promise.resolve()
        .then(() => path.join(this.versionDir(version), 'manifest.json'))
        .then(async (file) => [file, await this.readJson(file)] as const)
        .then(([file, json]) => {
          if (json === undefined) throw new BundleNotFoundError(version);
          return parseManifest(json, file);
        });
      loading.catch(() => this.manifests.delete(version));
      this.manifests.set(version, loading);
    }
    return loading;
  }

  async localDir(version: string): Promise<string> {
    await this.manifest(version);
    return this.versionDir(version);
  }

  async publish(version: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const manifestBytes = files.get('manifest.json');
    if (!manifestBytes) throw new Error(`bundle ${version} has no manifest.json`);
    const manifest = parseManifest(JSON.parse(new TextDecoder().decode(manifestBytes)), `bundle ${version}`);
    if (manifest.version !== version)
      throw new Error(`manifest.json is of version ${manifest.version}, not ${version}`);
    const dir = this.versionDir(version);
    if (!(await exists(dir))) {
      const temp = path.join(this.root, `.${version}.${randomUUID()}.tmp`);
      try {
        for (const [name, bytes] of files) {
          const target = path.resolve(temp, name);
          if (!target.startsWith(temp + path.sep))
            throw new RangeError(`invalid bundle file path: ${name} (it escapes the bundle)`);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, bytes);
        }
        await rename(temp, dir);
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        if (!(await exists(dir))) throw error;
      }
    }
    await this.writeAtomically(path.join(this.root, 'current.json'), JSON.stringify({ version }));
  }

  async importErrors(): Promise<BundleImportError[]> {
    const json = await this.readJson(path.join(this.root, 'import-errors.json'));
    return ((json as { errors?: BundleImportError[] } | undefined)?.errors ?? []).map((e) => ({ ...e }));
  }

  async recordImportErrors(errors: readonly BundleImportError[]): Promise<void> {
    await this.writeAtomically(path.join(this.root, 'import-errors.json'), JSON.stringify({ errors }));
  }

  private versionDir(version: string): string {
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(version)) throw new BundleNotFoundError(version);
    return path.join(this.root, version);
  }

  private async readJson(file: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async writeAtomically(file: string, text: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomUUID()}.tmp`;
    await writeFile(temp, text);
    await rename(temp, file);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
