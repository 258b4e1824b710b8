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
  /** The problems of the last bundle build that failed (Airflow's import errors); empty when it passed. */
  importErrors(): Promise<BundleImportError[]>;
  /** Replaces the recorded import errors (an empty list clears them after a good build). */
  recordImportErrors(errors: readonly BundleImportError[]): Promise<void>;
}

/** One DAG file that could not be loaded into a bundle, and why. */
export interface BundleImportError {
  /** When the failing build ran (ISO UTC). */
  timestamp: string;
  /** The DAG file, relative to the DAGs folder. */
  filename: string;
  /** What went wrong and what to change. */
  message: string;
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
