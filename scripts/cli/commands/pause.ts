import type { Command } from 'commander';
import { connect } from '../api-client';
import { type ApiOptions, withApiOptions } from '../client/target';
import { type Io, printJson } from '../io';

/** `updraft dags pause|unpause <dagId>`: stops or resumes scheduled runs through the API. */
export function registerDagsPause(dags: Command, io: Io): void {
  for (const paused of [true, false]) {
    const name = paused ? 'pause' : 'unpause';
    withApiOptions(
      dags
        .command(name)
        .description(
          paused
            ? 'pause a DAG on a running Updraft: no new scheduled runs (running ones finish)'
            : 'unpause a DAG on a running Updraft: scheduled runs resume',
        )
        .argument('<dagId>', 'the DAG'),
    )
      .option('--json', 'print the DAG as JSON (Airflow DAG)', false)
      .action(async (dagId: string, options: ApiOptions & { json: boolean }) => {
        const dag = await (await connect(options)).setPaused(dagId, paused);
        if (options.json) printJson(io, dag);
        else io.out(`${dag.dag_id} is ${dag.is_paused ? 'paused' : 'unpaused'}`);
      });
  }
}
