import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { REPO_ROOT } from '../bundle/paths';
import { registerApiServe } from './commands/api-serve';
import { registerBackfill } from './commands/backfill';
import { registerDagsBuild } from './commands/dags-build';
import { registerDagsList } from './commands/dags-list';
import { registerDagsNextRuns } from './commands/dags-next-runs';
import { registerDagsTest } from './commands/dags-test';
import { registerDagsUpload } from './commands/dags-upload';
import { registerDev } from './commands/dev';
import { registerLogs } from './commands/logs';
import { registerDagsPause } from './commands/pause';
import { registerPools } from './commands/pools';
import { registerRuns } from './commands/runs';
import { registerTasks } from './commands/tasks';
import { registerTrigger } from './commands/trigger';
import { CliError, ExitCode } from './errors';
import { type Io, processIo } from './io';

/** Set to `1` to print stack traces of unexpected errors. */
export const DEBUG_ENV = 'UPDRAFT_DEBUG';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** The `updraft` command tree; add a command by adding a file under commands/ and one line here. */
export function createProgram(io: Io = processIo): Command {
  const program = new Command('updraft')
    .description('Serverless, Airflow-style workflow orchestrator on AWS')
    .version(packageVersion())
    // Commander must throw instead of exiting, so main() owns the exit code; its messages go through io.
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  const dags = program.command('dags').description('build, list and inspect DAGs');
  registerDagsBuild(dags, io);
  registerDagsList(dags, io);
  registerDagsNextRuns(dags, io);
  registerDagsTest(dags, io);
  registerDagsUpload(dags, io);
  registerDagsPause(dags, io);
  registerApiServe(program, io);
  registerDev(program, io);
  registerTrigger(program, io);
  registerRuns(program, io);
  registerLogs(program, io);
  registerBackfill(program, io);
  registerTasks(program, io);
  registerPools(program, io);
  return program;
}

/** Runs the CLI on `argv` (process.argv form) and returns the exit code; never throws. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<ExitCode> {
  try {
    await createProgram(io).parseAsync([...argv]);
    return ExitCode.Ok;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: Io): ExitCode {
  if (error instanceof CommanderError) {
    // Commander already printed its message (unknown option, bad argument …); help and version are fine.
    const ok = ['commander.helpDisplayed', 'commander.version'].includes(error.code) || error.exitCode === 0;
    return ok ? ExitCode.Ok : ExitCode.BadInput;
  }
  if (error instanceof CliError) {
    io.err(error.lines.join('\n'));
    if (process.env[DEBUG_ENV] === '1' && error.cause) io.err(describe(error.cause));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`error: ${message.split('\n')[0]}`);
  io.err(
    process.env[DEBUG_ENV] === '1'
      ? describe(error)
      : `(unexpected failure; set ${DEBUG_ENV}=1 for the stack trace and report it)`,
  );
  return ExitCode.Failed;
}

/** The stack of an error and of each of its causes, for UPDRAFT_DEBUG=1. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = error.stack ?? `${error.name}: ${error.message}`;
  return error.cause === undefined ? own : `${own}\ncaused by: ${describe(error.cause)}`;
}
