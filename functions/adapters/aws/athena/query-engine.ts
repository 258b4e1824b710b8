import {
  type AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryEngine, QueryRequest, QueryState, QueryStatus } from '../../../ports/query-engine';

const STATES: ReadonlySet<string> = new Set<QueryState>([
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
]);

/** Amazon Athena through the SDK: one request per call, nothing cached (each poke is its own attempt). */
export class AthenaQueryEngine implements QueryEngine {
  constructor(private readonly options: { client: AthenaClient }) {}

  async start(request: QueryRequest): Promise<string> {
    const output = await this.options.client.send(
      new StartQueryExecutionCommand({
        QueryString: request.query,
        QueryExecutionContext: {
          Database: request.database,
          ...(request.catalog !== undefined && { Catalog: request.catalog }),
        },
        ClientRequestToken: request.clientRequestToken,
        ...(request.workgroup !== undefined && { WorkGroup: request.workgroup }),
        ...(request.outputLocation !== undefined && {
          ResultConfiguration: { OutputLocation: request.outputLocation },
        }),
      }),
    );
    if (!output.QueryExecutionId) throw new Error('Athena StartQueryExecution returned no QueryExecutionId');
    return output.QueryExecutionId;
  }

  async status(queryId: string): Promise<QueryStatus> {
    const output = await this.options.client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
    );
    const execution = output.QueryExecution;
    const state = execution?.Status?.State;
    if (!state || !STATES.has(state))
      throw new Error(`Athena query ${queryId} has unknown state ${JSON.stringify(state)}; update updraft`);
    const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage;
    const outputLocation = execution?.ResultConfiguration?.OutputLocation;
    return {
      state: state as QueryState,
      ...(reason && { reason }),
      ...(outputLocation && { outputLocation }),
    };
  }

  async stop(queryId: string): Promise<void> {
    await this.options.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
  }
}
