/** A query to start (Athena's StartQueryExecution). */
export interface QueryRequest {
  query: string;
  database: string;
  catalog?: string;
  workgroup?: string;
  /** `s3://…` result location; the workgroup's when absent. */
  outputLocation?: string;
  /** Idempotency token (32-128 characters): the same token within minutes returns the same query. */
  clientRequestToken: string;
}

/** Athena's query states. */
export type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** A query's status: its state, why it ended (Athena's StateChangeReason), and where results went. */
export interface QueryStatus {
  state: QueryState;
  reason?: string;
  outputLocation?: string;
}

/** Port: a serverless SQL engine (Amazon Athena); the worker never holds a query while it runs. */
export interface QueryEngine {
  /** Starts the query; returns its id (QueryExecutionId). */
  start(request: QueryRequest): Promise<string>;
  status(queryId: string): Promise<QueryStatus>;
  /** Asks the engine to cancel the query; a finished query is not an error. */
  stop(queryId: string): Promise<void>;
}
