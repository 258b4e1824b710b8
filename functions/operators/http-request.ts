import type { Connection } from '../core/connection';
import type { OperatorSpec } from '../core/model';
import type { TaskContext } from '../core/task-context';

type HttpSpec = Extract<OperatorSpec, { kind: 'http' }>;

/** What to send: the final URL and headers after the connection is applied. */
export interface HttpRequestPlan {
  url: string;
  headers: Record<string, string>;
}

/**
 * Airflow's HttpHook base URL: a host holding "://" is used as is, else `schema://host`
 * (schema defaulting to http), then `:port`. Deviation: a connection typed `https` (the URI
 * `https://host`) defaults to https, where Airflow would silently downgrade it to http.
 */
export function baseUrl(conn: Connection): string {
  const host = conn.host ?? '';
  const schema = conn.schema ?? (conn.connType === 'https' ? 'https' : 'http');
  const base = host.includes('://') ? host : `${schema}://${host}`;
  return conn.port !== undefined ? `${base}:${conn.port}` : base;
}

/** Airflow's `url_from_endpoint`: exactly one "/" between the base URL and the endpoint. */
export function joinUrl(base: string, endpoint: string): string {
  if (base && !base.endsWith('/') && endpoint && !endpoint.startsWith('/')) return `${base}/${endpoint}`;
  return base + endpoint;
}

/**
 * The request of an http task: with a connection, its extra's string values become headers and
 * its login/password basic auth (as HttpHook's session); the task's own headers win.
 */
export function planRequest(
  spec: Pick<HttpSpec, 'url' | 'headers'>,
  conn: Connection | undefined,
): HttpRequestPlan {
  if (!conn) return { url: spec.url, headers: { ...spec.headers } };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(conn.extra))
    if (typeof value === 'string') headers[name] = value;
  if (conn.login !== undefined) {
    const credentials = Buffer.from(`${conn.login}:${conn.password ?? ''}`).toString('base64');
    headers.Authorization = `Basic ${credentials}`;
  }
  for (const [name, value] of Object.entries(spec.headers)) {
    // Header names are case-insensitive: a task's `authorization` replaces the connection's.
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    headers[name] = value;
  }
  return { url: joinUrl(baseUrl(conn), spec.url), headers };
}

/**
 * Sends the request of an http task or sensor: connection applied, the attempt's signal aborts it
 * (an execution timeout stops the request), and a network failure names the target and its code.
 */
export async function sendHttp(
  spec: Pick<HttpSpec, 'url' | 'headers' | 'method' | 'body' | 'httpConnId'>,
  ctx: Pick<TaskContext, 'connection' | 'signal'>,
  beforeSend: (target: string) => void = () => {},
): Promise<{ response: Response; target: string }> {
  const conn = spec.httpConnId !== undefined ? await ctx.connection(spec.httpConnId) : undefined;
  const { url, headers } = planRequest(spec, conn);
  const method = spec.method.toUpperCase();
  const target = `${method} ${url}`;
  beforeSend(target);
  try {
    const response = await fetch(url, {
      method,
      headers,
      signal: ctx.signal,
      ...(spec.body !== undefined && { body: spec.body }),
    });
    return { response, target };
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`HTTP ${target} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`, {
      cause: error,
    });
  }
}
