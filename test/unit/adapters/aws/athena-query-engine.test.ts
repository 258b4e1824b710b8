import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaQueryEngine } from '../../../../functions/adapters/aws/athena/query-engine';

const athena = mockClient(AthenaClient);
const engine = new AthenaQueryEngine({ client: new AthenaClient({ region: 'us-east-1' }) });
const token = 'a'.repeat(64);

beforeEach(() => athena.reset());

describe('AthenaQueryEngine', () => {
  it('starts a query with its database, catalog, workgroup, result location and token', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'qe-1' });
    const id = await engine.start({
      query: 'SELECT 1',
      database: 'movielens',
      catalog: 'AwsDataCatalog',
      workgroup: 'ranking',
      outputLocation: 's3://results/rankings/',
      clientRequestToken: token,
    });
    expect(id).toBe('qe-1');
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: 'SELECT 1',
      QueryExecutionContext: { Database: 'movielens', Catalog: 'AwsDataCatalog' },
      ClientRequestToken: token,
      WorkGroup: 'ranking',
      ResultConfiguration: { OutputLocation: 's3://results/rankings/' },
    });
  });

  it('leaves the workgroup and result location to Athena when not given', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'qe-2' });
    await engine.start({ query: 'SELECT 1', database: 'db', clientRequestToken: token });
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: 'SELECT 1',
      QueryExecutionContext: { Database: 'db' },
      ClientRequestToken: token,
    });
  });

  it('reads the state, the reason and the result location', async () => {
    athena.on(GetQueryExecutionCommand, { QueryExecutionId: 'qe-1' }).resolves({
      QueryExecution: {
        Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: ratings' },
        ResultConfiguration: { OutputLocation: 's3://results/qe-1.csv' },
      },
    });
    expect(await engine.status('qe-1')).toEqual({
      state: 'FAILED',
      reason: 'TABLE_NOT_FOUND: ratings',
      outputLocation: 's3://results/qe-1.csv',
    });
  });

  it('refuses a state it does not know instead of guessing', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: {} } });
    await expect(engine.status('qe-9')).rejects.toThrow('Athena query qe-9 has unknown state undefined');
  });

  it('stops a query by id', async () => {
    athena.on(StopQueryExecutionCommand).resolves({});
    await engine.stop('qe-1');
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryExecutionId: 'qe-1',
    });
  });
});
