import { type Command, InvalidArgumentError } from 'commander';
import { connect, type TaskInstanceJson } from '../api-client';
import { FINISHED_TASK_STATES, parsePollSeconds, sleep } from '../client/poll';
import { type ApiOptions, withApiOptions } from '../client/target';
import { CliError, ExitCode } from '../errors';
import type { Io } from '../io';

interface LogsOptions extends ApiOptions {
  try?: number;
  mapIndex?: number;
  follow: boolean;
  pollSeconds: number;
}

/** `--try`: a try number from 1. */
function parseTry(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a try number from 1');
  return Number(value);
}

/** `--map-index`: a map index from 0 (-1 is the unmapped instance, the default). */
function parseMapIndex(value: string): number {
  if (!/^-?\d+$/.test(value) || Number(value) < -1)
    throw new InvalidArgumentError('expected a map index from 0');
  return Number(value);
}

/** `updraft logs <dagId> <runId> <taskId>`: a task attempt's log, or its tail with `--follow`. */
export function registerLogs(program: Command, io: Io): void {
  withApiOptions(
    program
      .command('logs')
      .description('print the log of a task attempt from a running Updraft')
      .argument('<dagId>', 'the DAG')
      .argument('<runId>', 'the run')
      .argument('<taskId>', 'the task'),
  )
    .option('--try <n>', "the attempt (default: the instance's latest try)", parseTry)
    .option('--map-index <i>', 'the instance of a mapped task', parseMapIndex)
    .option('-f, --follow', 'keep printing new lines until the attempt is finished', false)
    .option('--poll-seconds <s>', 'seconds between reads with --follow', parsePollSeconds, 1)
    .action(async (dagId: string, runId: string, taskId: string, options: LogsOptions) => {
      const client = await connect(options);
      const mapIndex = options.mapIndex === -1 ? undefined : options.mapIndex;
      const instance = () => client.taskInstance(dagId, runId, taskId, mapIndex);
      let ti = await instance();
      if (options.try === undefined && ti.try_number === 0) {
        if (!options.follow) throw notStarted(ti);
        // Upstream failures and skips finish an instance without a try: stop waiting then.
        while (ti.try_number === 0 && !FINISHED_TASK_STATES.has(ti.state)) {
          await sleep(options.pollSeconds);
          ti = await instance();
        }
        if (ti.try_number === 0) throw notStarted(ti);
      }
      const tryNumber = options.try ?? ti.try_number;
      const ref = { dagId, runId, taskId, tryNumber, ...(mapIndex !== undefined && { mapIndex }) };
      const lines = new LineBuffer(io);
      let chunk = await client.log(ref);
      lines.write(chunk.content);
      while (options.follow && !attemptOver(ti, tryNumber)) {
        await sleep(options.pollSeconds);
        // The state is read before the log: once it says finished, the read after it holds the last lines.
        ti = await instance();
        chunk = await client.log(ref, chunk.continuation_token);
        lines.write(chunk.content);
      }
      lines.flush();
      if (!lines.printed) io.err(`(try ${tryNumber} of ${taskId} has no log lines)`);
    });
}

/** True when attempt `tryNumber` will write no more lines. */
function attemptOver(ti: TaskInstanceJson, tryNumber: number): boolean {
  return ti.try_number > tryNumber || FINISHED_TASK_STATES.has(ti.state);
}

function notStarted(ti: TaskInstanceJson): CliError {
  const where = `task ${ti.task_id} of run ${ti.dag_run_id}`;
  const why = FINISHED_TASK_STATES.has(ti.state)
    ? `never ran (state ${ti.state}${ti.reason ? `: ${ti.reason}` : ''})`
    : `has not started yet (state ${ti.state ?? 'none'}); --follow waits for it`;
  return new CliError(ExitCode.BadInput, [`error: ${where} ${why}: no log`]);
}

/** Prints whole lines only, so chunks that end mid-line are not broken by the newline `Io` adds. */
class LineBuffer {
  private pending = '';
  /** True once any text was printed. */
  printed = false;
  constructor(private readonly io: Io) {}

  write(text: string): void {
    const all = this.pending + text;
    const end = all.lastIndexOf('\n');
    if (end === -1) {
      this.pending = all;
      return;
    }
    this.io.out(all.slice(0, end + 1));
    this.printed = true;
    this.pending = all.slice(end + 1);
  }

  flush(): void {
    if (this.pending !== '') {
      this.io.out(this.pending);
      this.printed = true;
    }
    this.pending = '';
  }
}
