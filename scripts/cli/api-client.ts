import { sigV4Headers } from './client/sigv4';
import { type ApiOptions, type ApiTarget, resolveTarget } from './client/target';
import type {
  ClearBody,
  DagDetailJson,
  DagJson,
  DagRunJson,
  LogChunkJson,
  TaskInstanceJson,
  TaskInstanceReferenceJson,
  TriggerBody,
} from './client/types';
import { CliError, ExitCode } from './errors';

export type { ApiTarget } from './client/target';
export * from './client/types';

/** An HTTP error answer of the API, as a CliError that keeps the status (409 is expected by backfill). */
export class ApiHttpError extends CliError {
  constructor(
    readonly status: number,
    lines: readonly string[],
  ) {
    super(status >= 500 ? ExitCode.Failed : ExitCode.BadInput, lines);
  }
}

/** The client of the API a command's `--api-url`/`--stack` options name (the local server by default). */
export async function connect(options: ApiOptions): Promise<ApiClient> {
  return new ApiClient(await resolveTarget(options));
}

/** Seconds one request may take before the CLI gives up on the server. */
export const REQUEST_TIMEOUT_SECONDS = 30;

/** Airflow's page size limit: longer listings are fetched page by page. */
const PAGE = 100;

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

const seg = encodeURIComponent;

/**
 * A typed client of the Updraft HTTP API (Airflow stable REST API v1) for the CLI. Every failure
 * is a CliError: connection problems and 5xx exit 1, 4xx exit 2 with the problem's `detail`.
 */
export class ApiClient {
  constructor(private readonly target: ApiTarget) {}

  /** `GET /dags/{dag_id}/details`. */
  dagDetails(dagId: string): Promise<DagDetailJson> {
    return this.request('GET', `/dags/${seg(dagId)}/details`);
  }

  /** `PATCH /dags/{dag_id}?update_mask=is_paused`. */
  setPaused(dagId: string, isPaused: boolean): Promise<DagJson> {
    return this.request('PATCH', `/dags/${seg(dagId)}`, {
      query: { update_mask: 'is_paused' },
      body: { is_paused: isPaused },
    });
  }

  /** `POST /dags/{dag_id}/dagRuns`. */
  trigger(dagId: string, body: TriggerBody): Promise<DagRunJson> {
    return this.request('POST', `/dags/${seg(dagId)}/dagRuns`, { body });
  }

  /** `GET /dags/{dag_id}/dagRuns`, newest logical date first, up to `limit` runs over as many pages as needed. */
  async listRuns(dagId: string, options: { states?: readonly string[]; limit: number }) {
    const runs: DagRunJson[] = [];
    let total = 0;
    do {
      const page = await this.request<{ dag_runs: DagRunJson[]; total_entries: number }>(
        'GET',
        `/dags/${seg(dagId)}/dagRuns`,
        {
          query: {
            state: options.states,
            order_by: '-logical_date',
            limit: Math.min(PAGE, options.limit - runs.length),
            offset: runs.length,
          },
        },
      );
      runs.push(...page.dag_runs);
      total = page.total_entries;
      if (page.dag_runs.length === 0) break;
    } while (runs.length < Math.min(total, options.limit));
    return { runs, total };
  }

  /** `GET /dags/{dag_id}/dagRuns/{dag_run_id}`. */
  run(dagId: string, runId: string): Promise<DagRunJson> {
    return this.request('GET', `/dags/${seg(dagId)}/dagRuns/${seg(runId)}`);
  }

  /** Every task instance of a run (all pages), in the API's topological order. */
  async taskInstances(dagId: string, runId: string): Promise<TaskInstanceJson[]> {
    const all: TaskInstanceJson[] = [];
    for (;;) {
      const page = await this.request<{ task_instances: TaskInstanceJson[]; total_entries: number }>(
        'GET',
        `/dags/${seg(dagId)}/dagRuns/${seg(runId)}/taskInstances`,
        { query: { limit: PAGE, offset: all.length } },
      );
      all.push(...page.task_instances);
      if (page.task_instances.length === 0 || all.length >= page.total_entries) return all;
    }
  }

  /** One task instance; without a map index, the unmapped instance. */
  taskInstance(dagId: string, runId: string, taskId: string, mapIndex?: number): Promise<TaskInstanceJson> {
    const base = `/dags/${seg(dagId)}/dagRuns/${seg(runId)}/taskInstances/${seg(taskId)}`;
    return this.request('GET', mapIndex === undefined ? base : `${base}/${mapIndex}`);
  }

  /** `GET …/logs/{try}`: the log from the continuation `token` on (from the start without one). */
  log(
    ref: { dagId: string; runId: string; taskId: string; tryNumber: number; mapIndex?: number },
    token?: string,
  ): Promise<LogChunkJson> {
    const path = `/dags/${seg(ref.dagId)}/dagRuns/${seg(ref.runId)}/taskInstances/${seg(ref.taskId)}/logs/${ref.tryNumber}`;
    return this.request('GET', path, { query: { map_index: ref.mapIndex, token } });
  }

  /** `POST /dags/{dag_id}/clearTaskInstances`. */
  async clear(dagId: string, body: ClearBody): Promise<TaskInstanceReferenceJson[]> {
    const result = await this.request<{ task_instances: TaskInstanceReferenceJson[] }>(
      'POST',
      `/dags/${seg(dagId)}/clearTaskInstances`,
      { body },
    );
    return result.task_instances;
  }

  /** Bearer token for the local server (and JWT stacks), SigV4 for a stack's IAM authorizer. */
  private async authHeaders(method: string, url: URL, body?: string): Promise<Record<string, string>> {
    const { auth } = this.target;
    if (auth.kind === 'token') return auth.token ? { authorization: `Bearer ${auth.token}` } : {};
    const credentials = await auth.identity.credentials();
    const scope = { region: auth.region, service: 'execute-api' };
    return sigV4Headers({ method, url, ...(body !== undefined && { body }) }, credentials, scope, new Date());
  }

  /** One request to `/api/v1{path}`; the parsed JSON body, or a CliError. */
  async request<T>(method: string, path: string, init: { query?: Query; body?: unknown } = {}): Promise<T> {
    const url = new URL(`${this.target.baseUrl}/api/v1${path}`);
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, await this.authHeaders(method, url, body));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined && { body }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_SECONDS * 1000),
      });
    } catch (error) {
      throw unreachable(this.target.baseUrl, error);
    }
    const text = await response.text();
    if (response.ok) return parseJson<T>(text, this.target.baseUrl);
    throw httpError(method, url, response.status, text, this.target);
  }
}

function parseJson<T>(text: string, baseUrl: string): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CliError(
      ExitCode.Failed,
      [`error: the server at ${baseUrl} did not answer JSON: is it an Updraft API? (--api-url)`],
      { cause: error },
    );
  }
}

function unreachable(baseUrl: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why =
    (error as Error).name === 'TimeoutError'
      ? `no answer within ${REQUEST_TIMEOUT_SECONDS} s`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new CliError(
    ExitCode.Failed,
    [`error: cannot reach the Updraft API (${why}): is \`npm start\` running? (${baseUrl})`],
    { cause: error },
  );
}

function httpError(method: string, url: URL, status: number, text: string, target: ApiTarget): ApiHttpError {
  let problem: { title?: string; detail?: string } = {};
  try {
    problem = JSON.parse(text) as typeof problem;
  } catch {
    problem = { detail: text.slice(0, 200) };
  }
  const what = problem.detail || problem.title || `HTTP ${status}`;
  const lines = [`error: ${what}`];
  if (status === 401 || status === 403) {
    lines.push(authHint(status, target));
  }
  if (status >= 500) lines.push(`(HTTP ${status} from ${method} ${url.pathname}; see the server's log)`);
  return new ApiHttpError(status, lines);
}

function authHint(status: number, target: ApiTarget): string {
  const { auth } = target;
  if (auth.kind === 'sigv4')
    return `the API refused the SigV4-signed request (HTTP ${status}): do your AWS credentials allow execute-api:Invoke on it? (--auth token for a JWT stack)`;
  return auth.token
    ? `the API refused the token (HTTP ${status}): set UPDRAFT_API_TOKEN or UPDRAFT_HOME to the server's`
    : 'no API token: set UPDRAFT_API_TOKEN, or run the CLI where `npm start` wrote .updraft/api-token';
}
