import path from 'node:path';
import { build, type Message } from 'esbuild';
import type { Problem } from '../../functions/core/validation/problem';
import { modulePathFor, REPO_ROOT, SDK_ENTRY, toPosix } from './paths';

/** One DAG file bundled into a self-contained ESM module (plus its source map). */
export interface CompiledModule {
  /** Source file relative to the DAGs folder (`sub/etl.dag.ts`). */
  fileloc: string;
  /** Module path inside the bundle (`code/sub/etl.dag.mjs`). */
  module: string;
  code: Uint8Array;
  /** Source map; its `sources` are relative to the module, so inside the bundle they mirror the DAGs folder. */
  map: Uint8Array;
}

/** What compiling one DAG file gives: its module, or the compiler's errors as problems. */
export type CompileResult = { ok: true; compiled: CompiledModule } | { ok: false; problems: Problem[] };

// Bundled CJS dependencies call `require`, which ESM lacks; the banner gives them one.
const REQUIRE_BANNER =
  "import { createRequire as __updraftCreateRequire } from 'node:module';\n" +
  'const require = __updraftCreateRequire(import.meta.url);';

/** Bundles one DAG file with its own copy of the SDK; never writes to disk. */
export async function compileDagFile(dagsFolder: string, fileloc: string): Promise<CompileResult> {
  const source = path.join(dagsFolder, fileloc);
  const module = modulePathFor(fileloc);
  try {
    const result = await build({
      entryPoints: [source],
      // Not written (write: false); placing the output next to the source makes the source map's
      // paths relative to the DAGs folder, which the bundle's `code/` folder mirrors.
      outfile: path.join(dagsFolder, path.relative('code', module)),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      absWorkingDir: REPO_ROOT,
      alias: { updraft: SDK_ENTRY },
      banner: { js: REQUIRE_BANNER },
      // Minified (names kept for stack traces): a DAG module carries the SDK with luxon and cron-parser,
      // and minifying also drops esbuild's per-file path comments, which would tie the version to paths.
      minify: true,
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    const map = result.outputFiles.find((f) => f.path.endsWith('.mjs.map'));
    if (!code || !map) throw new Error(`esbuild produced no module for ${fileloc}`);
    return { ok: true, compiled: { fileloc, module, code: code.contents, map: map.contents } };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) throw error;
    return { ok: false, problems: errors.map((message) => compileProblem(dagsFolder, fileloc, message)) };
  }
}

function compileProblem(dagsFolder: string, fileloc: string, message: Message): Problem {
  const loc = message.location;
  if (!loc) return { file: fileloc, message: `does not compile: ${message.text}` };
  // esbuild reports paths relative to its working directory; users think relative to their DAGs folder.
  const absolute = path.resolve(REPO_ROOT, loc.file);
  const relative = toPosix(path.relative(dagsFolder, absolute));
  const shown = relative.startsWith('..') ? toPosix(path.relative(process.cwd(), absolute)) : relative;
  return {
    file: fileloc,
    message: `does not compile: ${shown}:${loc.line}:${loc.column + 1}: ${message.text}`,
  };
}
