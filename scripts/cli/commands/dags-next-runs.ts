import type { Command } from 'commander';
import { runIdFor } from '../../../functions/core/run-id';
import { CliError, ExitCode } from '../errors';
import { formatTable, type Io, printJson, shortInstant } from '../io';
import { buildDags, type DagsOptions } from '../load-dags';
import { parseCount, withDagsOptions, withNowOption } from '../options';
import { upcomingFor } from '../schedule';

interface NextRunsCommandOptions extends DagsOptions {
  count: number;
  now?: string;
  json: boolean;
}

/** `updraft dags next-runs <dagId>`: the next N runs as the scheduler would create them, with Airflow's run ids. */
export function registerDagsNextRuns(dags: Command, io: Io): void {
  withNowOption(
    withDagsOptions(
      dags
        .command('next-runs')
        .description('show the next scheduled runs of a DAG')
        .argument('<dagId>', 'the DAG to schedule'),
    ),
  )
    .option('-n, --count <n>', 'how many runs', parseCount, 5)
    .option('--json', 'print the runs as JSON (Airflow field names)', false)
    .action(async (dagId: string, options: NextRunsCommandOptions) => {
      const now = options.now ?? new Date().toISOString();
      const { manifest } = await buildDags(options, io);
      const spec = manifest.dags.find((d) => d.dagId === dagId);
      if (!spec) {
        const known = manifest.dags.map((d) => d.dagId).join(', ') || '(none)';
        throw new CliError(ExitCode.BadInput, [`error: unknown DAG "${dagId}"; known DAG ids: ${known}`]);
      }
      const runs = upcomingFor(spec, now, options.count).runs.map((run) => ({
        run_id: runIdFor('scheduled', run.logicalDate),
        logical_date: run.logicalDate,
        data_interval_start: run.dataInterval.start,
        data_interval_end: run.dataInterval.end,
        run_after: run.runAfter,
      }));
      if (options.json) {
        printJson(io, { dag_id: dagId, runs });
        return;
      }
      if (runs.length === 0) {
        io.out(`DAG "${dagId}" has no upcoming scheduled runs (schedule, end date or @once already done)`);
        return;
      }
      const headers = ['run_id', 'logical_date', 'data_interval_start', 'data_interval_end', 'run_after'];
      const rows = runs.map((r) => [
        r.run_id,
        shortInstant(r.logical_date),
        shortInstant(r.data_interval_start),
        shortInstant(r.data_interval_end),
        shortInstant(r.run_after),
      ]);
      io.out(formatTable(headers, rows));
    });
}
