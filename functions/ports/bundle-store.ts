import type { Manifest } from '../core/model';

/**
 * Immutable DAG bundles (`bundles/<version>/…`) and the pointer to the current one
 * (`bundles/current.json`). Readers cache by version: a version never changes.
 */
export interface BundleStore {
  /** The current bundle's manifest, or undefined before the first upload (cheap when unchanged). */
  currentManifest(): Promise<Manifest | undefined>;
  /** The manifest of one version (runs are pinned to the version they started with). */
  manifest(version: string): Promise<Manifest>;
  /** A local folder holding the version's files (downloaded once per process). */
  localDir(version: string): Promise<string>;
  /** Uploads a built bundle's files under its version, then switches the current pointer. */
  publish(version: string, files: ReadonlyMap<string, Uint8Array>): Promise<void>;
}

/** The requested bundle version does not exist (or its manifest is unreadable). */
export class BundleNotFoundError extends Error {
  override readonly name = 'BundleNotFoundError';
  constructor(
    readonly version: string,
    options?: ErrorOptions,
  ) {
    super(`bundle version ${version} not found`, options);
  }
}
