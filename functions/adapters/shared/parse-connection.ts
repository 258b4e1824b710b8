import { z } from 'zod';
import type { Connection } from '../../ports/secret-provider';

/** A connection secret that is neither a valid Airflow URI nor Airflow's JSON form. Never quotes the secret. */
export class InvalidConnectionError extends Error {
  override readonly name = 'InvalidConnectionError';
  constructor(
    readonly connId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`connection "${connId}" is invalid: ${reason}`, options);
  }
}

/**
 * Parses a connection stored the way Airflow's secrets backends store it: a URI
 * (`postgres://user:p%40ss@host:5432/db?sslmode=require`, extras as query parameters or one
 * `__extra__` JSON parameter) or JSON (`{"conn_type", "host", "login", "password", "port", "schema", "extra"}`).
 */
export function parseConnection(connId: string, secret: string): Connection {
  const text = secret.trim();
  return text.startsWith('{') ? parseJson(connId, text) : parseUri(connId, text);
}

/** Airflow's `_normalize_conn_type`: `postgresql` is `postgres`, dashes become underscores. */
function normalizeConnType(connType: string): string {
  return connType === 'postgresql' ? 'postgres' : connType.replaceAll('-', '_');
}

const jsonForm = z.strictObject({
  conn_type: z.string().min(1),
  description: z.string().nullish(),
  host: z.string().nullish(),
  login: z.string().nullish(),
  password: z.string().nullish(),
  schema: z.string().nullish(),
  port: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
  extra: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
});

function parseJson(connId: string, text: string): Connection {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidConnectionError(connId, 'it starts with "{" but is not valid JSON', { cause: error });
  }
  const result = jsonForm.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidConnectionError(connId, issues.join('; '));
  }
  const { conn_type, host, login, password, schema, port, extra } = result.data;
  return compact(connId, {
    connType: normalizeConnType(conn_type),
    host,
    login,
    password,
    schema,
    port: port ?? undefined,
    extra: typeof extra === 'string' ? parseExtra(connId, extra) : (extra ?? {}),
  });
}

function parseUri(connId: string, uri: string): Connection {
  const schemes = uri.split('://').length - 1;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri)?.[1];
  if (!scheme || schemes > 2) {
    throw new InvalidConnectionError(
      connId,
      'expected a URI like <conn_type>://[login[:password]@]host[:port][/schema]',
    );
  }
  let rest = uri.slice(scheme.length + 3);
  // Airflow's `conn_type://protocol://host` form keeps the protocol in the host (`http://https://x`).
  let protocol: string | undefined;
  if (schemes === 2) {
    const [first = '', after = ''] = rest.split('://', 2);
    if (first.includes('@') || first.includes(':'))
      throw new InvalidConnectionError(connId, 'misplaced "://"');
    protocol = first;
    rest = after;
  }
  const [, netloc = '', path = '', query] = /^([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(rest) ?? [];
  const at = netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? netloc.slice(0, at) : undefined;
  const hostport = netloc.slice(at + 1);
  const { host, port } = splitHostPort(connId, hostport);
  const colon = userinfo?.indexOf(':') ?? -1;
  const login = colon >= 0 ? userinfo!.slice(0, colon) : userinfo;
  const password = colon >= 0 ? userinfo!.slice(colon + 1) : undefined;
  const decodedHost = host ? decode(connId, host) : undefined;
  return compact(connId, {
    connType: normalizeConnType(scheme),
    host: protocol && decodedHost ? `${protocol}://${decodedHost}` : decodedHost,
    port,
    login: login ? decode(connId, login) : undefined,
    password: password ? decode(connId, password) : undefined,
    schema: path.length > 1 ? decode(connId, path.slice(1)) : undefined,
    extra: query ? queryExtra(connId, query) : {},
  });
}

function splitHostPort(connId: string, hostport: string): { host: string; port?: number } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!match) throw new InvalidConnectionError(connId, 'the port is not a number');
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (match[2] === undefined || match[2] === '') return { host };
  const port = Number(match[2]);
  if (port > 65535) throw new InvalidConnectionError(connId, `port ${port} is out of range 0-65535`);
  return { host, port };
}

/** Query parameters as extras (the last of a repeated key wins, like Airflow's `dict(parse_qsl(…))`). */
function queryExtra(connId: string, query: string): Record<string, unknown> {
  const params = Object.fromEntries(new URLSearchParams(query));
  return params.__extra__ === undefined ? params : parseExtra(connId, params.__extra__);
}

function parseExtra(connId: string, extra: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch (error) {
    throw new InvalidConnectionError(connId, 'extra is not valid JSON', { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidConnectionError(connId, 'extra must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function decode(connId: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch (error) {
    throw new InvalidConnectionError(connId, 'a URI part has a malformed %-escape', { cause: error });
  }
}

type ConnectionFields = Pick<Connection, 'connType' | 'extra'> & {
  [K in 'host' | 'login' | 'password' | 'schema' | 'port']?: Connection[K] | null;
};

/** Drops absent and empty fields, so `host: ''` and a missing host read the same. */
function compact(connId: string, fields: ConnectionFields): Connection {
  const connection: Connection = { connId, connType: fields.connType, extra: fields.extra };
  for (const key of ['host', 'login', 'password', 'schema'] as const) {
    const value = fields[key];
    if (value) connection[key] = value;
  }
  if (typeof fields.port === 'number') connection.port = fields.port;
  return connection;
}
