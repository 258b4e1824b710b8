/**
 * The book's `MovielensHook` (chapter 8): the one place that knows how to reach the ratings API —
 * where it is and how to log in (connection `movielens`: host, port, login, password; `https` as
 * the connection type switches the scheme) and how its pages work. Operators and sensors use it
 * instead of calling the API themselves.
 *
 * Without the connection (a fresh checkout), the hook starts the bundled stand-in (`./api`) on
 * 127.0.0.1 for as long as it is open, so the examples run offline; `close()` stops it. Configure
 * the connection to use a real server: `UPDRAFT_CONN_MOVIELENS='http://airflow:airflow@host:5000'`.
 */
import { NonRetryableTaskError, type TaskContext } from 'updraft';
import { type LocalServer, startLocalServer } from '../example-io';
import { type Rating, type RatingsPage, ratingsApi, STAND_IN_LOGIN } from './api';

/** The connection id the book uses. */
export const MOVIELENS_CONN_ID = 'movielens';
const DEFAULT_PORT = 5000;

interface Session {
  baseUrl: string;
  authorization: string;
  standIn?: LocalServer;
}

/** Talks to the MovieLens ratings API of connection `connId` (Airflow's `BaseHook` pattern). */
export class MovielensHook {
  private session?: Promise<Session>;

  constructor(
    private readonly ctx: TaskContext,
    private readonly connId: string = MOVIELENS_CONN_ID,
  ) {}

  /** Every rating in `[startDate, endDate)`, oldest first, fetched `batchSize` at a time (the book's `get_ratings`). */
  async *getRatings(startDate: string, endDate: string, batchSize = 100): AsyncGenerator<Rating> {
    const { baseUrl, authorization } = await this.getConn();
    for (let offset = 0, total = Number.POSITIVE_INFINITY; offset < total; ) {
      const query = new URLSearchParams({
        start_date: startDate,
        end_date: endDate,
        offset: String(offset),
        limit: String(batchSize),
      });
      const response = await fetch(`${baseUrl}/ratings?${query}`, {
        headers: { authorization },
        signal: this.ctx.signal,
      });
      const body = await response.text();
      // Wrong credentials or a bad request repeat identically on retry; a 5xx may not.
      if (response.status === 401 || response.status === 400)
        throw new NonRetryableTaskError(`GET /ratings of ${baseUrl} answered ${response.status}: ${body}`);
      if (!response.ok) throw new Error(`GET /ratings of ${baseUrl} answered ${response.status}: ${body}`);
      const page = JSON.parse(body) as RatingsPage;
      yield* page.result;
      total = page.total;
      if (page.result.length === 0) break;
      offset += page.result.length;
    }
  }

  /** Stops the stand-in if this hook started one. */
  async close(): Promise<void> {
    const session = await this.session?.catch(() => undefined);
    this.session = undefined;
    await session?.standIn?.close();
  }

  /** The base URL and credentials, read once per hook (the book's `get_conn`). */
  private getConn(): Promise<Session> {
    this.session ??= this.connect();
    return this.session;
  }

  private async connect(): Promise<Session> {
    const conn = await this.ctx.connection(this.connId).catch((error: unknown) => {
      // A missing connection is the only error that falls back; any other (an unreachable
      // secrets store) must fail the task rather than silently use made-up data. Matched by name
      // and message, not instanceof: the engine's error class is not this bundle's copy.
      const missing = `connection "${this.connId}" not found`;
      if (
        error instanceof Error &&
        error.name === 'NonRetryableTaskError' &&
        error.message.startsWith(missing)
      )
        return undefined;
      throw error;
    });
    if (!conn) {
      const standIn = await startLocalServer(ratingsApi());
      this.ctx.log.info(
        `connection "${this.connId}" is not configured: using the bundled stand-in at ${standIn.baseUrl}`,
      );
      return {
        baseUrl: standIn.baseUrl,
        authorization: basicAuth(STAND_IN_LOGIN.login, STAND_IN_LOGIN.password),
        standIn,
      };
    }
    if (!conn.host) throw new NonRetryableTaskError(`connection "${this.connId}" has no host`);
    const scheme = conn.connType === 'https' ? 'https' : 'http';
    return {
      baseUrl: `${scheme}://${conn.host}:${conn.port ?? DEFAULT_PORT}`,
      authorization: basicAuth(conn.login ?? '', conn.password ?? ''),
    };
  }
}

function basicAuth(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
}

/** Runs `fn` with an open hook and closes it afterwards, whatever `fn` does. */
export async function withMovielensHook<T>(
  ctx: TaskContext,
  connId: string | undefined,
  fn: (hook: MovielensHook) => Promise<T>,
): Promise<T> {
  const hook = new MovielensHook(ctx, connId);
  try {
    return await fn(hook);
  } finally {
    await hook.close();
  }
}
