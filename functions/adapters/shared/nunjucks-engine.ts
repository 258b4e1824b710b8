import nunjucks from 'nunjucks';
import { type TemplateEngine, TemplateError } from '../../ports/template-engine';

/**
 * Names no template may look up, on any object: each leads from a value to `Function` (and from
 * there to `process`), which nunjucks on its own does not prevent.
 */
const BLOCKED = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** Inherited methods that are safe and common in templates; everything else must be an own property. */
const STRING_METHODS = new Set([
  'split',
  'replace',
  'replaceAll',
  'startsWith',
  'endsWith',
  'includes',
  'indexOf',
  'slice',
  'substring',
  'trim',
  'toUpperCase',
  'toLowerCase',
  'padStart',
  'padEnd',
]);
const ARRAY_METHODS = new Set(['join', 'slice', 'includes', 'indexOf']);

/** What the current (synchronous) render looked up, to name an undefined value in the error. */
interface Trace {
  paths: WeakMap<object, string>;
  lastUndefined?: string;
}
let trace: Trace | undefined;

function allowed(obj: unknown, name: string): boolean {
  if (BLOCKED.has(name)) return false;
  if (typeof obj === 'string') return Object.hasOwn(new String(obj), name) || STRING_METHODS.has(name);
  if (Array.isArray(obj)) return Object.hasOwn(obj, name) || ARRAY_METHODS.has(name);
  return (typeof obj === 'object' || typeof obj === 'function') && obj !== null && Object.hasOwn(obj, name);
}

function remember(value: unknown, path: string): unknown {
  if (!trace) return value;
  if (value === undefined || value === null) trace.lastUndefined = path;
  else if (typeof value === 'object' || typeof value === 'function') trace.paths.set(value as object, path);
  return value;
}

// nunjucks compiles every `a.b` / `a[b]` to runtime.memberLookup and every bare name to
// runtime.contextOrFrameLookup; guarding both is what makes templates unable to leave the context.
// The runtime module is a process-wide singleton and this is the only nunjucks user in the process.
const runtime = nunjucks.runtime as unknown as {
  memberLookup(obj: unknown, name: unknown): unknown;
  contextOrFrameLookup(context: unknown, frame: unknown, name: string): unknown;
};
const originalMemberLookup = runtime.memberLookup;
const originalContextLookup = runtime.contextOrFrameLookup;
runtime.memberLookup = (obj, name) => {
  if (obj === undefined || obj === null) return undefined;
  const key = String(name);
  const owner =
    typeof obj === 'object' || typeof obj === 'function' ? trace?.paths.get(obj as object) : undefined;
  const path = `${owner ?? '…'}.${key}`;
  if (!allowed(obj, key)) {
    if (BLOCKED.has(key)) throw new TemplateError(`"${key}" may not be looked up in a template (${path})`);
    return remember(undefined, path);
  }
  return remember(originalMemberLookup(obj, key), path);
};
runtime.contextOrFrameLookup = (context, frame, name) => {
  if (BLOCKED.has(name) || name in Object.prototype) return remember(undefined, name);
  return remember(originalContextLookup(context, frame, name), name);
};

/** Matches nunjucks' error text: `(unknown path) [Line 1, Column 4]\n  Template render error: …`. */
const POSITION = /\[Line (\d+), Column (\d+)\]/;

/**
 * Jinja-compatible templates with nunjucks: undefined names are errors that name them
 * (`throwOnUndefined`), no autoescaping (fields are commands and URLs, not HTML), no loader (no
 * `include`/`import` of files), and lookups limited to the context's own data.
 */
export class NunjucksTemplateEngine implements TemplateEngine {
  private readonly env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true })
    // Jinja's `tojson` (nunjucks calls it `dump`): XComs handed to a container as JSON arguments.
    .addFilter('tojson', (value: unknown) => JSON.stringify(value === undefined ? null : value));

  render(template: string, context: Readonly<Record<string, unknown>>): string {
    const previous = trace;
    trace = { paths: new WeakMap() };
    const current = trace;
    try {
      return this.env.renderString(template, { ...context });
    } catch (error) {
      throw this.explain(error, current);
    } finally {
      trace = previous;
    }
  }

  private explain(error: unknown, current: Trace): TemplateError {
    const text = error instanceof Error ? error.message : String(error);
    const position = POSITION.exec(text);
    const where = position ? ` (line ${position[1]}, column ${position[2]})` : '';
    // The last line holds the cause, after nunjucks' own and nested error-name prefixes.
    const detail = text
      .split('\n')
      .at(-1)!
      .replace(/^\s*(Template render error: )?/, '')
      .replace(/^\(.*?\)\s*/, '')
      .replace(/^((Template)?Error: )+/, '');
    if (/attempted to output null or undefined value/.test(text) && current.lastUndefined)
      return new TemplateError(`undefined variable "${current.lastUndefined}"${where}`);
    return new TemplateError(`${detail.trim() || text}${where}`);
  }
}
