import path from 'node:path';
import { manifestSchema, parseManifest } from '../../functions/adapters/shared/manifest-codec';
import { type DagSpec, MANIFEST_SCHEMA_VERSION, type Manifest } from '../../functions/core/model';
import type { Problem } from '../../functions/core/validation/problem';
import { validateDags } from '../../functions/core/validation/validate-dag';
import { type CompiledModule, compileDagFile } from './compile';
import { discoverDagFiles } from './discover';
import { resolveEnvironments } from './environments';
import { evaluateModules } from './evaluate';
import { compareStrings, displayPath } from './paths';
import { problemFromError } from './problems';
import { bundleVersion } from './version';

/** What to build. */
export interface BuildOptions {
  /** Folder searched recursively for `*.dag.ts` files. */
  dagsFolder: string;
  /** Leave out the DAGs of files with problems (reported as warnings) instead of failing. Default false. */
  skipInvalid?: boolean;
}

/** A built bundle (in memory), or every problem that stopped it. */
export type BuildResult =
  | {
      ok: true;
      manifest: Manifest;
      /** Code modules and their source maps by bundle path (`code/etl.dag.mjs`); manifest.json excluded. */
      files: Map<string, Uint8Array>;
      /** Problems of the files left out with `skipInvalid`; empty otherwise. */
      problems: Problem[];
    }
  | { ok: false; problems: Problem[] };

/** Bundles, evaluates, serializes and validates every DAG file; any problem fails unless `skipInvalid`. */
export async function buildBundle(options: BuildOptions): Promise<BuildResult> {
  const dagsFolder = path.resolve(options.dagsFolder);
  const shown = displayPath(dagsFolder);
  const filelocs = await discover(dagsFolder, shown);
  if (!Array.isArray(filelocs)) return { ok: false, problems: [filelocs] };

  const byFile = new Map<string, Problem[]>(filelocs.map((f) => [f, []]));
  const report = (file: string, problems: Problem[]) => byFile.get(file)?.push(...problems);
  const compiled: CompiledModule[] = [];
  const results = await Promise.all(filelocs.map((f) => compileDagFile(dagsFolder, f)));
  results.forEach((result, i) => {
    if (result.ok) compiled.push(result.compiled);
    else report(filelocs[i]!, result.problems);
  });

  const specs: DagSpec[] = [];
  const environmentFiles = new Map<string, Uint8Array>();
  const loaded: CompiledModule[] = [];
  for (const evaluated of await evaluateModules(compiled)) {
    const { fileloc, module } = evaluated.module;
    if (!evaluated.ok) {
      report(fileloc, evaluated.problems);
      continue;
    }
    loaded.push(evaluated.module);
    for (const dag of evaluated.dags) {
      try {
        const declared = dag.toSpec({ fileloc, module });
        const shapeProblems = schemaProblems(declared);
        if (shapeProblems.length > 0) {
          report(fileloc, shapeProblems);
          continue;
        }
        const resolved = await resolveEnvironments(dagsFolder, declared);
        report(fileloc, resolved.problems);
        specs.push(resolved.spec);
        for (const [file, bytes] of resolved.files) environmentFiles.set(file, bytes);
      } catch (error) {
        report(fileloc, [problemFromError(error, { file: fileloc, dagId: dag.dagId })]);
      }
    }
  }

  const unplaced: Problem[] = [];
  for (const problem of validateDags(specs)) {
    if (problem.file !== undefined && byFile.has(problem.file)) report(problem.file, [problem]);
    else unplaced.push(problem);
  }

  const problems = [...unplaced, ...[...byFile.values()].flat()];
  if (problems.length > 0 && (!options.skipInvalid || unplaced.length > 0)) return { ok: false, problems };

  const bad = new Set([...byFile].filter(([, found]) => found.length > 0).map(([file]) => file));
  const files = new Map<string, Uint8Array>();
  for (const m of loaded.filter((m) => !bad.has(m.fileloc))) {
    files.set(m.module, m.code);
    files.set(`${m.module}.map`, m.map);
  }
  const kept = new Set(specs.filter((s) => !bad.has(s.fileloc)).flatMap(bundledPaths));
  const keptDirs = [...kept].filter((p) => p.endsWith('/'));
  for (const [file, bytes] of environmentFiles)
    if (kept.has(file) || keptDirs.some((dir) => file.startsWith(dir))) files.set(file, bytes);
  const dags = specs.filter((s) => !bad.has(s.fileloc)).sort((a, b) => compareStrings(a.dagId, b.dagId));
  const body: Omit<Manifest, 'version'> = { schemaVersion: MANIFEST_SCHEMA_VERSION, dags };
  // Parsing canonicalizes (sorted map keys), so the manifest in memory equals the one written.
  const manifest = parseManifest({ ...body, version: bundleVersion(files, body) }, 'built manifest');
  return { ok: true, manifest, files, problems };
}

async function discover(dagsFolder: string, shown: string): Promise<string[] | Problem> {
  let filelocs: string[];
  try {
    filelocs = await discoverDagFiles(dagsFolder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    const what = code === 'ENOENT' ? 'does not exist' : 'is not a folder';
    return { message: `DAGs folder ${shown} ${what}`, fix: 'pass --dags-folder <dir>' };
  }
  if (filelocs.length > 0) return filelocs;
  return {
    message: `no *.dag.ts files in ${shown}`,
    fix: 'name DAG files like etl.dag.ts, or pass --dags-folder <dir>',
  };
}

/** Bundle paths of the environment folders (ending in `/`) and scripts a DAG's tasks need. */
function bundledPaths(spec: DagSpec): string[] {
  const envDirs = (spec.environments ?? []).filter((e) => e.kind === 'python').map((e) => `envs/${e.hash}/`);
  const scripts = spec.tasks.flatMap((t) =>
    t.operator.kind === 'container' && t.operator.script ? [t.operator.script] : [],
  );
  return [...envDirs, ...scripts];
}

/** What the SDK produced but the manifest cannot hold (a Date or a function as a literal input, NaN …). */
function schemaProblems(spec: DagSpec): Problem[] {
  const result = manifestSchema.shape.dags.element.safeParse(spec);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const [head, index, ...rest] = issue.path;
    const task = head === 'tasks' && typeof index === 'number' ? spec.tasks[index] : undefined;
    const fieldPath = task ? rest : issue.path;
    return {
      file: spec.fileloc,
      dagId: spec.dagId,
      ...(task && { taskId: task.taskId }),
      field: fieldPath.map(String).join('.'),
      message: `cannot be stored in the manifest: ${issue.message}`,
      fix: 'use JSON values (strings, finite numbers, booleans, null, arrays, plain objects)',
    };
  });
}
