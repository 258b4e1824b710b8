import { declare } from './operators';
import type { TaskRef } from './refs';
import { type SensorOptions, splitSensorOptions } from './task';

/** The XCom of an Athena query: its id and where Athena wrote the result (CSV). */
export interface AthenaQueryResult {
  queryExecutionId: string;
  outputLocation: string | null;
}

/**
 * Runs an Amazon Athena query (Airflow's AthenaOperator) without holding a worker while it runs:
 * the first poke starts it, later pokes check it every `pokeIntervalSeconds` (default 60; Airflow
 * sleeps 30), a query still running at `timeoutSeconds` is stopped and the task fails. FAILED or
 * CANCELLED fails the try with Athena's reason; a retry starts a new query. `query`, `database`,
 * `catalog`, `workgroup` and `outputLocation` are templates. Needs an AWS deployment with the
 * stack's `athena` prop; local mode and `dags test` have no Athena.
 */
export function athenaQuery(
  options: Omit<SensorOptions, 'softFail'> & {
    query: string;
    /** The Glue database the query reads (Airflow's `database`). */
    database: string;
    /** Data catalog. Default: Athena's (AwsDataCatalog). */
    catalog?: string;
    /** Default: Athena's `primary`. */
    workgroup?: string;
    /** `s3://bucket/prefix/` for results. Default: the workgroup's result location. */
    outputLocation?: string;
  },
): TaskRef<AthenaQueryResult> {
  const { sensor, taskOptions } = splitSensorOptions(options);
  const { query, database, catalog, workgroup, outputLocation, ...rest } = taskOptions;
  return declare(
    {
      kind: 'athena_query',
      query,
      database,
      sensor,
      ...(catalog !== undefined && { catalog }),
      ...(workgroup !== undefined && { workgroup }),
      ...(outputLocation !== undefined && { outputLocation }),
    },
    rest,
  );
}
