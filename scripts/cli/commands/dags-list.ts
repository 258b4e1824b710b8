import type { Command } from 'commander';
import { formatTable, type Io, printJson, shortInstant } from '../io';
import { buildDags, type DagsOptions } from '../load-dags';
import { withDagsOptions, withNowOption } from '../options';
import { upcomingFor } from '../schedule';

interface ListCommandOptions extends DagsOptions {
  now?: string;
  json: boolean;
}

/** `updraft dags list`: every DAG with its schedule and the first run the scheduler would create now. */
export function registerDagsList(dags: Command, io: Io): void {
  withNowOption(withDagsOptions(dags.command('list').description('list the DAGs and their next run')))
    .option('--json', 'print the DAGs as JSON', false)
    .action(async (options: ListCommandOptions) => {
      const now = options.now ?? new Date().toISOString();
      const { manifest } = await buildDags(options, io);
      const rows = manifest.dags.map((spec) => {
        const { summary, runs } = upcomingFor(spec, now, 1);
        return { spec, summary, next: runs[0] };
      });
      if (options.json) {
        printJson(io, {
          dags: rows.map(({ spec, summary, next }) => ({
            dag_id: spec.dagId,
            fileloc: spec.fileloc,
            schedule: summary,
            timezone: spec.timezone,
            is_paused_upon_creation: spec.isPausedUponCreation,
            tags: spec.tags,
            next_dagrun: next?.logicalDate ?? null,
            next_dagrun_data_interval_start: next?.dataInterval.start ?? null,
            next_dagrun_data_interval_end: next?.dataInterval.end ?? null,
            next_dagrun_create_after: next?.runAfter ?? null,
          })),
        });
        return;
      }
      const headers = [
        'dag_id',
        'schedule',
        'timezone',
        'paused',
        'tags',
        'next_logical_date',
        'next_run_after',
      ];
      const table = rows.map(({ spec, summary, next }) => [
        spec.dagId,
        summary,
        spec.timezone,
        spec.isPausedUponCreation ? 'yes' : 'no',
        spec.tags.join(',') || '-',
        next ? shortInstant(next.logicalDate) : '-',
        next ? shortInstant(next.runAfter) : '-',
      ]);
      io.out(formatTable(headers, table));
    });
}
