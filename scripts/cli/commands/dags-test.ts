import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { runDagTest } from '../../../functions/app/run-dag-test';
import { buildGraph, topologicalOrder } from '../../../functions/core/graph';
import type { JsonValue } from '../../../functions/core/model';
import type { TaskInstanceRecord } from '../../../functions/core/records';
import { createTestRuntime } from '../../dags-test/runtime';
import { CliError, ExitCode } from '../errors';
import { formatTable, type Io, printJson } from '../io';
import { buildDags, type DagsOptions } from '../load-dags';
import { parseNow, withDagsOptions } from '../options';

interface TestCommandOptions extends DagsOptions {
  logicalDate?: string;
  conf?: Record<string, JsonValue>;
  json: boolean;
}

/** `--conf`: a JSON object. */
function parseConf(value: string): Record<string, JsonValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('expected a JSON object, like {"limit": 10}');
  }
  return parsed as Record<string, JsonValue>;
}

/** `updraft dags test <dagId>`: one run to completion in process (Airflow's `dags test`); exit 0 success, 1 failed, 2 bad input. */
export function registerDagsTest(dags: Command, io: Io): void {
  withDagsOptions(
    dags
      .command('test')
      .description('run one DAG run to completion in this process and print each task’s outcome')
      .argument('<dagId>', 'the DAG to run'),
  )
    .option('--logical-date <iso>', 'logical date of the run (default: now)', parseNow)
    .option('--conf <json>', 'run conf, a JSON object validated against the DAG params', parseConf)
    .option('--json', 'print the result as JSON (task logs go to stderr)', false)
    .action(async (dagId: string, options: TestCommandOptions) => {
      const bundle = await buildDags(options, io);
      const spec = bundle.manifest.dags.find((d) => d.dagId === dagId);
      if (!spec) {
        const known = bundle.manifest.dags.map((d) => d.dagId).join(', ') || '(none)';
        throw new CliError(ExitCode.BadInput, [`error: unknown DAG "${dagId}"; known DAG ids: ${known}`]);
      }
      const logTo = options.json ? io.err : io.out;
      const runtime = await createTestRuntime(
        bundle,
        (line) => {
          const index = line.key.mapIndex >= 0 ? `[${line.key.mapIndex}]` : '';
          logTo(
            `[${line.key.taskId}${index} #${line.tryNumber}] ${line.level === 'info' ? '' : `${line.level.toUpperCase()} `}${line.message}`,
          );
        },
        options.dagsFolder,
      );
      try {
        const result = await runDagTest(runtime.deps, {
          dag: spec,
          bundleVersion: bundle.manifest.version,
          ...(options.logicalDate && { logicalDate: options.logicalDate }),
          ...(options.conf && { conf: options.conf }),
        });
        if (!result.ok) throw new CliError(ExitCode.BadInput, [`error: ${result.problem}`]);
        const order = new Map(topologicalOrder(buildGraph(spec.tasks)).map((id, i) => [id, i]));
        const instances = [...result.instances].sort(
          (a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0) || a.mapIndex - b.mapIndex,
        );
        if (options.json) printJson(io, toJson(result.run, instances));
        else io.out(summary(result.run.runId, result.run.state, result.run.reason, instances));
        if (result.run.state !== 'success')
          throw new CliError(ExitCode.Failed, [
            `run ${result.run.runId} ${result.run.state}: ${result.run.reason ?? ''}`,
          ]);
      } finally {
        await runtime.dispose();
      }
    });
}

function summary(
  runId: string,
  state: string,
  reason: string | undefined,
  instances: readonly TaskInstanceRecord[],
): string {
  const rows = instances.map((ti) => [
    ti.taskId,
    ti.mapIndex >= 0 ? String(ti.mapIndex) : '',
    ti.state,
    String(ti.tryNumber),
    ti.reason ?? '',
  ]);
  return [
    '',
    formatTable(['task_id', 'map_index', 'state', 'try', 'reason'], rows),
    '',
    `run ${runId}: ${state}${reason ? ` (${reason})` : ''}`,
  ].join('\n');
}

function toJson(
  run: { dagId: string; runId: string; state: string; logicalDate: string; reason?: string },
  instances: readonly TaskInstanceRecord[],
) {
  return {
    dag_id: run.dagId,
    dag_run_id: run.runId,
    state: run.state,
    logical_date: run.logicalDate,
    reason: run.reason ?? null,
    task_instances: instances.map((ti) => ({
      task_id: ti.taskId,
      map_index: ti.mapIndex,
      state: ti.state,
      try_number: ti.tryNumber,
      reason: ti.reason ?? null,
      start_date: ti.startDate ?? null,
      end_date: ti.endDate ?? null,
    })),
  };
}
