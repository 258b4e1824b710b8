import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A task environment a built DAG bundle declares (`manifest.json` → `dags[].environments`): the
 * stack's own minimal copy of functions/core's `EnvironmentSpec` (lib/ may not import functions/).
 * Paths are relative to the DAGs folder; `hash` covers everything that defines the environment.
 */
export type TaskEnvironmentSpec =
  | {
      readonly kind: 'python';
      readonly name: string;
      /** Interpreter version (`3.12`): the image is `python:<version>-slim`. */
      readonly python: string;
      /** Requirements file; the bundle holds a copy at `envs/<hash>/requirements.txt`. */
      readonly requirements: string;
      readonly hash: string;
    }
  | { readonly kind: 'image'; readonly name: string; readonly directory: string; readonly hash: string }
  | { readonly kind: 'image'; readonly name: string; readonly uri: string; readonly hash: string };

/** A bundle's environments, deduplicated by hash, with the names each hash is declared under. */
export interface BundleEnvironment {
  readonly spec: TaskEnvironmentSpec;
  /** Every name (across DAGs) this content is declared under, sorted. */
  readonly names: readonly string[];
}

/** Environment hashes become construct ids and file names: no separators, no dots, no spaces. */
export const ENVIRONMENT_HASH = /^[A-Za-z0-9_-]{1,128}$/;

/** The environment at `where`, or an error naming it and what is wrong. */
function environmentAt(value: unknown, where: string): TaskEnvironmentSpec {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what} (got ${JSON.stringify(value)?.slice(0, 200)})`);
  };
  if (typeof value !== 'object' || value === null) return fail('not an object');
  const env = value as Record<string, unknown>;
  const text = (key: string): string =>
    typeof env[key] === 'string' && env[key] !== '' ? env[key] : fail(`${key} must be a non-empty string`);
  const name = text('name');
  const hash = text('hash');
  if (!ENVIRONMENT_HASH.test(hash)) fail('hash must be 1–128 of A-Z a-z 0-9 _ -');
  if (env.kind === 'python')
    return { kind: 'python', name, hash, python: text('python'), requirements: text('requirements') };
  if (env.kind !== 'image') return fail('kind must be "python" or "image"');
  if (typeof env.directory === 'string' && env.uri === undefined)
    return { kind: 'image', name, hash, directory: text('directory') };
  if (typeof env.uri === 'string' && env.directory === undefined)
    return { kind: 'image', name, hash, uri: text('uri') };
  return fail('an image environment needs exactly one of directory or uri');
}

/** Deduplicates by hash (same hash, same content: one task definition), keeping every name. */
export function dedupeEnvironments(specs: readonly TaskEnvironmentSpec[]): BundleEnvironment[] {
  const byHash = new Map<string, { spec: TaskEnvironmentSpec; names: Set<string> }>();
  for (const spec of specs) {
    const seen = byHash.get(spec.hash);
    if (seen) seen.names.add(spec.name);
    else byHash.set(spec.hash, { spec, names: new Set([spec.name]) });
  }
  return [...byHash.values()].map(({ spec, names }) => ({ spec, names: [...names].sort() }));
}

/**
 * The environments `<bundleDir>/manifest.json` declares across its DAGs, deduplicated by hash.
 * A missing or malformed manifest throws with the file and the field at fault.
 */
export function readBundleEnvironments(bundleDir: string): BundleEnvironment[] {
  const file = join(bundleDir, 'manifest.json');
  if (!existsSync(file)) throw new Error(`DAG bundle: no manifest.json in ${bundleDir}`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new Error(`DAG bundle: ${file} is not JSON; rebuild it with \`updraft dags build\``, { cause });
  }
  const dags = (manifest as { dags?: unknown } | null)?.dags;
  if (!Array.isArray(dags)) throw new Error(`DAG bundle: ${file} has no dags array`);
  const specs = dags.flatMap((dag: unknown, i) => {
    const environments = (dag as { environments?: unknown } | null)?.environments;
    if (environments === undefined) return [];
    const where = `DAG bundle ${file}: dags[${i}].environments`;
    if (!Array.isArray(environments)) throw new Error(`${where} is not an array`);
    return environments.map((env: unknown, j) => environmentAt(env, `${where}[${j}]`));
  });
  return dedupeEnvironments(specs);
}
