import type { QueryEngine, QueryRequest, QueryStatus } from '../../ports/query-engine';

/**
 * A scripted query engine for tests: each started query walks through `script` one status per
 * `status` call (the last repeats), and every call is recorded. A repeated client token returns
 * the same query, as Athena does.
 */
export class MemoryQueryEngine implements QueryEngine {
  readonly started: QueryRequest[] = [];
  readonly stopped: string[] = [];
  /** Status calls so far, across queries. */
  statusCalls = 0;
  private readonly queries = new Map<string, { token: string; step: number; stopped: boolean }>();

  constructor(private readonly script: readonly QueryStatus[]) {}

  async start(request: QueryRequest): Promise<string> {
    for (const [id, query] of this.queries) if (query.token === request.clientRequestToken) return id;
    this.started.push(request);
    const id = `q-${this.started.length}`;
    this.queries.set(id, { token: request.clientRequestToken, step: 0, stopped: false });
    return id;
  }

  async status(queryId: string): Promise<QueryStatus> {
    this.statusCalls++;
    const query = this.queries.get(queryId);
    if (!query) throw new Error(`unknown query ${queryId}`);
    if (query.stopped) return { state: 'CANCELLED', reason: 'Query was cancelled by user' };
    const status = this.script[Math.min(query.step, this.script.length - 1)]!;
    query.step++;
    return status;
  }

  async stop(queryId: string): Promise<void> {
    this.stopped.push(queryId);
    const query = this.queries.get(queryId);
    if (query) query.stopped = true;
  }
}
