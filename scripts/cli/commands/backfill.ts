import type { Command } from 'commander';
import { runIdFor } from '../../../functions/core/run-id';
import {
  type DagRunInfo,
  parseSchedule,
  timetableFor,
  upcomingRuns,
} from '../../../functions/core/timetables';
import { type ApiClient, ApiHttpError, connect, type DagDetailJson } from '../api-client';
import { instant } from '../client/format';
import { type ApiOptions, withApiOptions } from '../client/target';
import { CliError, ExitCode } from '../errors';
import { formatTable, type Io, printJson } from '../io';
import { MAX_COUNT, parseNow } from '../options';

interface BackfillOptions extends ApiOptions {
  from: string;
  to: string;
  json: boolean;
}

/** What happened to one logical date of the range. */
interface BackfillItem {
  logical_date: string;
  dag_run_id: string;
  outcome: 'created' | 'exists';
  detail?: string;
}

/**
 * `updraft backfill <dagId> --from --to`: one run per scheduled logical date in the range (both
 * ends included), computed from the DAG's schedule; dates that already have a run are reported.
 */
export function registerBackfill(program: Command, io: Io): void {
  withApiOptions(
    program
      .command('backfill')
      .description("create a run for each logical date of a DAG's schedule in a range, on a running Updraft")
      .argument('<dagId>', 'the DAG'),
  )
    .requiredOption('--from <iso>', 'first logical date of the range (included)', parseNow)
    .requiredOption('--to <iso>', 'last logical date of the range (included)', parseNow)
    .option('--json', 'print what was created and what already existed as JSON', false)
    .action(async (dagId: string, options: BackfillOptions) => {
      if (options.from > options.to)
        throw new CliError(ExitCode.BadInput, [`error: --from ${options.from} is after --to ${options.to}`]);
      const client = await connect(options);
      const dates = backfillDates(await client.dagDetails(dagId), options.from, options.to);
      const items: BackfillItem[] = [];
      for (const info of dates) items.push(await createRun(client, dagId, info));
      const created = items.filter((i) => i.outcome === 'created').length;
      if (options.json) {
        printJson(io, { dag_id: dagId, created, existing: items.length - created, runs: items });
        return;
      }
      if (items.length === 0) {
        io.out(`no scheduled logical date of ${dagId} falls between ${options.from} and ${options.to}`);
        return;
      }
      const rows = items.map((i) => [i.dag_run_id, instant(i.logical_date), describe(i)]);
      io.out(formatTable(['run_id', 'logical_date', 'outcome'], rows));
      io.out(`${created} run(s) created, ${items.length - created} already existed`);
    });
}

/** The logical dates of the DAG's schedule from `from` to `to`, as a catchup scheduler would walk them. */
export function backfillDates(details: DagDetailJson, from: string, to: string): DagRunInfo[] {
  const fail = (why: string) =>
    new CliError(ExitCode.BadInput, [`error: cannot backfill ${details.dag_id}: ${why}`]);
  const value = details.schedule_interval?.value ?? null;
  const trigger = details.timetable_description.startsWith('Cron trigger');
  const parsed = parseSchedule(value, { trigger });
  if (!parsed.ok) throw fail(parsed.problem);
  if (parsed.schedule.kind === 'none' || parsed.schedule.kind === 'once')
    throw fail(`its schedule is ${value ?? 'None (manual only)'}; trigger its runs with updraft trigger`);
  const timetable = timetableFor(parsed.schedule, details.timezone);
  // `now` only matters without catchup; the range is walked from its start whatever the DAG's catchup.
  const runs = upcomingRuns(timetable, { earliest: from, latest: to, catchup: true }, to, MAX_COUNT + 1);
  if (runs.length > MAX_COUNT)
    throw fail(`the range holds more than ${MAX_COUNT} logical dates; backfill it in parts`);
  return runs;
}

function describe(item: BackfillItem): string {
  return item.outcome === 'created'
    ? 'created'
    : 'exists (a run with this id or logical date is already there)';
}

async function createRun(client: ApiClient, dagId: string, info: DagRunInfo): Promise<BackfillItem> {
  const runId = runIdFor('backfill', info.logicalDate);
  const item = { logical_date: info.logicalDate, dag_run_id: runId };
  try {
    // The scheduler's own interval for this date, not the one a manual trigger would infer.
    await client.trigger(dagId, {
      dag_run_id: runId,
      logical_date: info.logicalDate,
      data_interval_start: info.dataInterval.start,
      data_interval_end: info.dataInterval.end,
    });
    return { ...item, outcome: 'created' };
  } catch (error) {
    if (error instanceof ApiHttpError && error.status === 409)
      return { ...item, outcome: 'exists', detail: error.lines[0]?.replace(/^error: /, '') ?? '' };
    throw error;
  }
}
