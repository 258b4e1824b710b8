import type { Command } from 'commander';
import {
  type ClearBody,
  connect,
  type TaskInstanceJson,
  type TaskInstanceReferenceJson,
} from '../api-client';
import { taskState } from '../client/format';
import { type ApiOptions, withApiOptions } from '../client/target';
import { formatTable, type Io, printJson } from '../io';

interface ClearOptions extends ApiOptions {
  task?: string[];
  downstream: boolean;
  onlyFailed: boolean;
  yes: boolean;
  json: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `updraft tasks clear`: what a clear would reset (a dry run), and with `--yes` the clear itself. */
export function registerTasks(program: Command, io: Io): void {
  const tasks = program
    .command('tasks')
    .description('act on the task instances of a run on a running Updraft');
  withApiOptions(
    tasks
      .command('clear')
      .description('clear task instances so they run again (a dry run unless --yes)')
      .argument('<dagId>', 'the DAG')
      .argument('<runId>', 'the run'),
  )
    .option('--task <id>', 'clear this task (repeatable; default: every task of the run)', collect)
    .option('--downstream', 'also clear the tasks downstream of the chosen ones', false)
    .option('--only-failed', 'clear only failed and upstream_failed instances', false)
    .option('-y, --yes', 'apply the clear (without it, only show what would be cleared)', false)
    .option('--json', 'print the cleared (or would-be-cleared) instances as JSON', false)
    .action(async (dagId: string, runId: string, options: ClearOptions) => {
      const client = await connect(options);
      const body: ClearBody = {
        dry_run: true,
        dag_run_id: runId,
        ...(options.task && { task_ids: options.task }),
        only_failed: options.onlyFailed,
        include_downstream: options.downstream,
        reset_dag_runs: true,
      };
      const planned = await client.clear(dagId, body);
      const states = await client.taskInstances(dagId, runId);
      const cleared =
        options.yes && planned.length > 0 ? await client.clear(dagId, { ...body, dry_run: false }) : [];
      if (options.json) {
        printJson(io, { dry_run: !options.yes, task_instances: options.yes ? cleared : planned });
        return;
      }
      if (planned.length === 0) {
        io.out(
          `nothing to clear in run ${runId} of ${dagId}${options.onlyFailed ? ' (no failed instance)' : ''}`,
        );
        return;
      }
      const shown = options.yes ? cleared : planned;
      io.out(formatTable(['task_id', 'state before'], rows(shown, states)));
      io.out(
        options.yes
          ? `cleared ${cleared.length} task instance(s) of run ${runId}: they run again`
          : `dry run: ${planned.length} task instance(s) would be cleared; add --yes to clear them`,
      );
    });
}

/** One row per cleared task with the states its instances had (a mapped task has several). */
function rows(
  refs: readonly TaskInstanceReferenceJson[],
  instances: readonly TaskInstanceJson[],
): string[][] {
  const seen = new Set<string>();
  return refs
    .filter((r) => !seen.has(r.task_id) && seen.add(r.task_id))
    .map((r) => {
      const mine = instances.filter((ti) => ti.task_id === r.task_id).map((ti) => taskState(ti.state));
      return [r.task_id, [...new Set(mine)].join(', ') || '-'];
    });
}
