import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DagDefinition, isDag } from '../../functions/core/dag-definition';
import type { Problem } from '../../functions/core/validation/problem';
import type { CompiledModule } from './compile';
import { CODE_DIR } from './paths';
import { problemFromError } from './problems';
import type { StackContext } from './stack';

/** The DAG objects one module exports, or why it could not be evaluated. */
export type EvaluatedModule =
  | { ok: true; module: CompiledModule; dags: DagDefinition[] }
  | { ok: false; module: CompiledModule; problems: Problem[] };

/** Every distinct DAG object among a module's exports (default and named), in export-name order. */
export function exportedDags(namespace: Record<string, unknown>): DagDefinition[] {
  const dags = new Set<DagDefinition>();
  for (const value of Object.values(namespace)) if (isDag(value)) dags.add(value);
  return [...dags];
}

/**
 * Imports each compiled module from a private temp dir (so a stale module cache can never answer)
 * and collects its DAGs. Modules are evaluated one by one in the given order: their top-level code
 * is the author's and may have side effects.
 */
export async function evaluateModules(modules: readonly CompiledModule[]): Promise<EvaluatedModule[]> {
  const root = await mkdtemp(path.join(tmpdir(), 'updraft-build-'));
  try {
    const maps = new Map<string, SourceMapPayload>();
    for (const m of modules) {
      const target = path.join(root, m.module);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, m.code);
      await writeFile(`${target}.map`, m.map);
      maps.set(path.posix.relative(CODE_DIR, m.module), JSON.parse(new TextDecoder().decode(m.map)));
    }
    const ctx: StackContext = { codeDir: path.join(root, CODE_DIR), maps };
    const results: EvaluatedModule[] = [];
    for (const m of modules) results.push(await evaluate(m, path.join(root, m.module), ctx));
    return results;
  } finally {
    // Loaded ESM stays in memory, so the DAG objects (and their task functions) outlive the files.
    await rm(root, { recursive: true, force: true });
  }
}

async function evaluate(module: CompiledModule, file: string, ctx: StackContext): Promise<EvaluatedModule> {
  let namespace: Record<string, unknown>;
  try {
    namespace = await import(pathToFileURL(file).href);
  } catch (error) {
    return { ok: false, module, problems: [problemFromError(error, { file: module.fileloc }, ctx)] };
  }
  const dags = exportedDags(namespace);
  if (dags.length > 0) return { ok: true, module, dags };
  const problem: Problem = {
    file: module.fileloc,
    message: 'exports no DAG',
    fix: 'export the value returned by dag(...), e.g. `export default dag({ dagId: ... }, () => { ... })`',
  };
  return { ok: false, module, problems: [problem] };
}
