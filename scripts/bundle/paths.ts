import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: esbuild's working directory, so bundles only ever contain paths relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');

/** The authoring API that DAG files import as `'updraft'`, wherever their folder lives. */
export const SDK_ENTRY = path.join(REPO_ROOT, 'functions', 'sdk', 'index.ts');

/** Suffix that marks a DAG file. */
export const DAG_FILE_SUFFIX = '.dag.ts';

/** Folder of the code modules inside a bundle. */
export const CODE_DIR = 'code';

/** Forward slashes on every platform: manifests and hashes must not depend on the OS. */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Bundle module of a DAG file: `sub/etl.dag.ts` → `code/sub/etl.dag.mjs`. */
export function modulePathFor(fileloc: string): string {
  return `${CODE_DIR}/${fileloc.slice(0, -'.ts'.length)}.mjs`;
}

/** Byte-wise comparison: locale-independent, so every machine sorts the same way. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A path as the user would type it: relative to the working directory when inside it, else absolute. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : toPosix(rel);
}
