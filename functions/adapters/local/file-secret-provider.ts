import { readFile, stat } from 'node:fs/promises';
import type { Connection, SecretProvider } from '../../ports/secret-provider';
import { InvalidConnectionError, parseConnection } from '../shared/parse-connection';

/** Name of the local secrets file inside the data folder (`.updraft/` or UPDRAFT_HOME). */
export const SECRETS_FILE = 'secrets.json';

const SHAPE =
  '{"connections": {"<id>": "<Airflow URI>" | {"conn_type": …}}, "variables": {"<key>": "<value>"}}';
const CONNECTION_FIX =
  'write it as an Airflow URI ("postgres://user:pass@host:5432/db") or JSON ({"conn_type": "postgres", "host": …})';

/** The local secrets file, or one entry of it, is malformed; names the file, the entry and the fix. Never quotes values. */
export class SecretsFileError extends Error {
  override readonly name = 'SecretsFileError';
  constructor(
    readonly file: string,
    readonly entry: string | undefined,
    problem: string,
    fix: string,
    options?: ErrorOptions,
  ) {
    super(`${file}${entry ? ` entry ${entry}` : ''}: ${problem}; ${fix}`, options);
  }
}

interface SecretsFile {
  connections: Record<string, unknown>;
  variables: Record<string, unknown>;
}

const EMPTY: SecretsFile = { connections: {}, variables: {} };

/**
 * Connections and variables from a JSON file (local mode and `dags test`):
 * `{"connections": {"<id>": "<URI>" | {conn_type, host, login, password, port, schema, extra}},
 * "variables": {"<key>": "<string>" | <JSON>}}`. The file is checked for changes on every lookup
 * (one `stat`) and re-read when it changed, so edits apply without a restart. A missing file is
 * empty; a malformed one fails the lookups that need it with a SecretsFileError, and a malformed
 * entry fails only the lookups of that entry.
 */
export class FileSecretProvider implements SecretProvider {
  private cached: { stamp: string; parsed: SecretsFile | SecretsFileError } | undefined;

  constructor(readonly file: string) {}

  async connection(id: string): Promise<Connection | undefined> {
    const entry = (await this.load()).connections[id];
    if (entry === undefined) return undefined;
    const where = `connections.${id}`;
    if (typeof entry !== 'string' && (entry === null || typeof entry !== 'object' || Array.isArray(entry)))
      throw new SecretsFileError(this.file, where, 'is neither a string nor an object', CONNECTION_FIX);
    try {
      return parseConnection(id, typeof entry === 'string' ? entry : JSON.stringify(entry));
    } catch (error) {
      if (!(error instanceof InvalidConnectionError)) throw error;
      throw new SecretsFileError(this.file, where, error.message, CONNECTION_FIX, { cause: error });
    }
  }

  async variable(key: string): Promise<string | undefined> {
    const value = (await this.load()).variables[key];
    if (value === undefined) return undefined;
    if (value === null)
      throw new SecretsFileError(this.file, `variables.${key}`, 'is null', 'give a string or a JSON value');
    // Airflow variables are strings; JSON values are kept as their JSON text (`Variable.get(deserialize_json)`).
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  private async load(): Promise<SecretsFile> {
    let stamp: string;
    try {
      const info = await stat(this.file);
      stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
      throw error;
    }
    if (this.cached?.stamp !== stamp) {
      this.cached = { stamp, parsed: parseSecretsFile(this.file, await readFile(this.file, 'utf8')) };
    }
    if (this.cached.parsed instanceof SecretsFileError) throw this.cached.parsed;
    return this.cached.parsed;
  }
}

/** Validates the file's shape (not its entries: a bad entry only fails the tasks that ask for it). */
export function parseSecretsFile(file: string, text: string): SecretsFile | SecretsFileError {
  if (text.trim() === '') return EMPTY;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the error, which may be a secret: report the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    const where = position === undefined ? '' : ` at ${lineAndColumn(text, Number(position))}`;
    return new SecretsFileError(
      file,
      undefined,
      `is not valid JSON${where}`,
      `fix the syntax; expected ${SHAPE}`,
    );
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return new SecretsFileError(file, undefined, 'is not a JSON object', `expected ${SHAPE}`);
  const unknown = Object.keys(json).filter((k) => k !== 'connections' && k !== 'variables');
  if (unknown.length > 0)
    return new SecretsFileError(
      file,
      unknown[0],
      'is not a known section',
      `use only "connections" and "variables": ${SHAPE}`,
    );
  const sections = json as Record<string, unknown>;
  for (const name of ['connections', 'variables'] as const) {
    const section = sections[name];
    if (section !== undefined && (section === null || typeof section !== 'object' || Array.isArray(section)))
      return new SecretsFileError(file, name, 'is not an object', `expected ${SHAPE}`);
  }
  return {
    connections: (sections.connections ?? {}) as Record<string, unknown>,
    variables: (sections.variables ?? {}) as Record<string, unknown>,
  };
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}
