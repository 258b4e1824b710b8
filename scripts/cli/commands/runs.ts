import { type Command, InvalidArgumentError } from 'commander';
import { type ApiClient, connect, type DagRunJson } from '../api-client';
import { INSTANCE_HEADERS, instanceRows, instant, runSummary } from '../client/format';
import { FINISHED_RUN_STATES, parsePollSeconds, parseTimeoutSeconds, sleep } from '../client/poll';
import { type ApiOptions, withApiOptions } from '../client/target';
import type { TaskInstanceJson } from '../client/types';
import { CliError, ExitCode } from '../errors';
import { formatTable, type Io, printJson } from '../io';
import { parseCount } from '../options';

const RUN_STATES = ['queued', 'running', 'success', 'failed'];

/** `--state`: one of Airflow's run states; repeatable. */
function collectState(value: string, previous: string[] = []): string[] {
  if (!RUN_STATES.includes(value)) throw new InvalidArgumentError(`expected one of ${RUN_STATES.join(', ')}`);
  return [...previous, value];
}

/** `updraft runs list|show`: the runs of a DAG and the task instances of one run, from a running Updraft. */
export function registerRuns(program: Command, io: Io): void {
  const runs = program.command('runs').description('list and inspect the runs of a DAG on a running Updraft');
  withApiOptions(runs.command('list').description('list the runs of a DAG, newest logical date first'))
    .argument('<dagId>', 'the DAG')
    .option('--state <state>', `only runs in this state (${RUN_STATES.join(', ')}); repeatable`, collectState)
    .option('--limit <n>', 'at most this many runs', parseCount, 25)
    .option('--json', 'print the runs as JSON (Airflow DAGRunCollection)', false)
    .action(
      async (dagId: string, options: ApiOptions & { state?: string[]; limit: number; json: boolean }) => {
        const client = await connect(options);
        const { runs: found, total } = await client.listRuns(dagId, {
          ...(options.state && { states: options.state }),
          limit: options.limit,
        });
        if (options.json) {
          printJson(io, { dag_runs: found, total_entries: total });
          return;
        }
        if (found.length === 0) {
          io.out(
            `DAG "${dagId}" has no runs${options.state ? ` in state ${options.state.join(' or ')}` : ''}`,
          );
          return;
        }
        const rows = found.map((r) => [
          r.dag_run_id,
          r.state,
          r.run_type,
          instant(r.logical_date),
          instant(r.start_date),
          instant(r.end_date),
        ]);
        io.out(formatTable(['run_id', 'state', 'type', 'logical_date', 'started', 'ended'], rows));
        if (total > found.length) io.err(`(${found.length} of ${total} runs; --limit shows more)`);
      },
    );

  withApiOptions(runs.command('show').description('show a run and the state of each of its task instances'))
    .argument('<dagId>', 'the DAG')
    .argument('<runId>', 'the run')
    .option('--wait', 'poll until the run finishes; exit 0 when it succeeded, 1 when it failed', false)
    .option('--poll-seconds <s>', 'seconds between polls with --wait', parsePollSeconds, 1)
    .option('--timeout <s>', 'give up waiting after this many seconds (0: never)', parseTimeoutSeconds, 0)
    .option(
      '--rendered',
      "also print each task's rendered templated fields (Airflow's Rendered Template)",
      false,
    )
    .option('--json', 'print the run and its task instances as JSON', false)
    .action(async (dagId: string, runId: string, options: ShowOptions) => {
      const client = await connect(options);
      const run = options.wait
        ? await waitForRun(client, dagId, runId, options, io)
        : await client.run(dagId, runId);
      const instances = await client.taskInstances(dagId, runId);
      if (options.json) printJson(io, { ...run, task_instances: instances });
      else {
        io.out([...runSummary(run), '', formatTable(INSTANCE_HEADERS, instanceRows(instances))].join('\n'));
        io.out(environmentSection(instances));
        if (options.rendered) io.out(renderedSection(instances));
      }
      if (options.wait && run.state !== 'success') {
        throw new CliError(ExitCode.Failed, [
          `run ${runId} of ${dagId} ${run.state}${run.reason ? `: ${run.reason}` : ''}`,
        ]);
      }
    });
}

/**
 * Where each task's latest attempt ran: how (worker, worker thread, process, ECS, Lambda), its
 * declared environment and content hash, the image or interpreter and digest, memory, bundle.
 */
function environmentSection(instances: readonly TaskInstanceJson[]): string {
  const rows = instances.flatMap((ti) => {
    const env = ti.environment;
    if (!env) return [];
    const declared = env.name ? `${env.name} (${env.hash})` : '-';
    const ran = env.function_name
      ? `${env.function_name}${env.function_version ? `:${env.function_version}` : ''}`
      : (env.task_arn ?? env.image ?? '-');
    const digest = env.image_digest && env.image_digest !== env.hash ? ` @${env.image_digest}` : '';
    const peak = env.peak_memory_mib !== null ? ` (peak ${env.peak_memory_mib})` : '';
    return [
      [
        `${ti.task_id}${ti.map_index >= 0 ? `[${ti.map_index}]` : ''}`,
        env.runtime,
        declared,
        `${ran}${digest}`,
        `${env.memory_mib} MiB${peak}`,
        env.bundle_version,
      ],
    ];
  });
  if (rows.length === 0) return '';
  return [
    '',
    'environments:',
    formatTable(['task_id', 'runtime', 'environment', 'ran', 'memory', 'bundle'], rows),
  ].join('\n');
}

/** `--rendered`: each task's rendered fields, multi-line values indented under their field path. */
function renderedSection(instances: readonly TaskInstanceJson[]): string {
  const lines = ['', 'rendered templates:'];
  for (const ti of instances) {
    const fields = Object.entries(ti.rendered_fields ?? {});
    if (fields.length === 0) continue;
    lines.push(`  ${ti.task_id}${ti.map_index >= 0 ? `[${ti.map_index}]` : ''}:`);
    for (const [path, value] of fields) {
      const [first = '', ...rest] = value.split('\n');
      lines.push(`    ${path}: ${first}`, ...rest.map((line) => `      ${line}`));
    }
  }
  return lines.length > 2 ? lines.join('\n') : '\n(no templated fields in this run)';
}

interface ShowOptions extends ApiOptions {
  rendered: boolean;
  wait: boolean;
  pollSeconds: number;
  timeout: number;
  json: boolean;
}

/** Polls the run until it is finished (or the timeout passes: exit 1 naming the state it is in). */
async function waitForRun(
  client: ApiClient,
  dagId: string,
  runId: string,
  options: ShowOptions,
  io: Io,
): Promise<DagRunJson> {
  const deadline = options.timeout > 0 ? Date.now() + options.timeout * 1000 : Number.POSITIVE_INFINITY;
  let last: string | undefined;
  for (;;) {
    const run = await client.run(dagId, runId);
    if (FINISHED_RUN_STATES.has(run.state)) return run;
    // Progress goes to stderr so stdout stays the final table (or JSON).
    if (run.state !== last) io.err(`waiting for run ${runId} of ${dagId}: ${run.state}`);
    last = run.state;
    if (Date.now() >= deadline) {
      throw new CliError(ExitCode.Failed, [
        `error: run ${runId} of ${dagId} is still ${run.state} after ${options.timeout} s (--timeout)`,
      ]);
    }
    await sleep(options.pollSeconds);
  }
}
