import { SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the evaluated modules live, and their source maps by module path relative to `codeDir`. */
export interface StackContext {
  /** Absolute folder holding the evaluated `code/` modules. */
  codeDir: string;
  /** Source map payloads keyed by module path relative to `codeDir` (`sub/etl.dag.mjs`). */
  maps: ReadonlyMap<string, SourceMapPayload>;
}

// `at fn (file:///x/y.mjs:3:9)` or `at file:///x/y.mjs:3:9` or a bare path.
const FRAME = /\(?((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/**
 * The first stack frame that lies in the user's own source (not the SDK, not node_modules), as
 * `sub/etl.dag.ts:4:9` relative to the DAGs folder; undefined when no frame does.
 */
export function userFrame(stack: string | undefined, ctx: StackContext): string | undefined {
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    if (!line.trimStart().startsWith('at ')) continue;
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, where = '', lineText = '', columnText = ''] = match;
    const file = where.startsWith('file://') ? fileURLToPath(where) : where;
    const rel = path.relative(ctx.codeDir, file).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const located = rel.endsWith('.mjs')
      ? original(ctx.maps.get(rel), rel, Number(lineText), Number(columnText))
      : // Already mapped: the process runs with --enable-source-maps and read our linked map.
        { source: rel, line: Number(lineText), column: Number(columnText) };
    if (located && isUserSource(located.source)) return `${located.source}:${located.line}:${located.column}`;
  }
  return undefined;
}

function original(payload: SourceMapPayload | undefined, rel: string, line: number, column: number) {
  if (!payload) return undefined;
  const entry = new SourceMap(payload).findEntry(line - 1, column - 1);
  if (!('originalSource' in entry)) return undefined;
  // Map sources are relative to the module; the code folder mirrors the DAGs folder.
  const source = path.posix.normalize(path.posix.join(path.posix.dirname(rel), entry.originalSource));
  return { source, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
}

function isUserSource(source: string): boolean {
  return !source.startsWith('..') && !source.split('/').includes('node_modules');
}
