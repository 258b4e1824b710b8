import { watch } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { localApiToken } from '../../local/api-token';
import { lockHome } from '../../local/home-lock';
import { observeStore, type StateChange } from '../../local/observed-store';
import { BundleRejectedError, publishDagsFolder } from '../../local/publish';
import { startLocalStack } from '../../local/stack';
import { CliError, ExitCode } from '../errors';
import type { Io } from '../io';
import {
  localStackOptions,
  optionOrEnv,
  parsePositive,
  withDagsOptions,
  withLocalStackOptions,
} from '../options';

const COLORS: Record<string, number> = {
  success: 32,
  failed: 31,
  upstream_failed: 31,
  up_for_retry: 33,
  running: 36,
  queued: 34,
  skipped: 35,
};

interface DevOptions {
  dagsFolder: string;
  port?: number;
  tickSeconds?: number;
  home?: string;
  workers?: number;
}

/** Options with their environment variables and defaults applied (bad env values name the variable). */
function resolveDevOptions(given: DevOptions) {
  return {
    ...given,
    ...localStackOptions(given),
    home: given.home ?? (process.env.UPDRAFT_HOME || '.updraft'),
    workers: Math.floor(optionOrEnv(given.workers, 'UPDRAFT_WORKERS', parsePositive, 8)),
  };
}

/** One line per state change, coloured on a terminal. */
function describe(change: StateChange, tty: boolean): string {
  const time = new Date().toISOString().slice(11, 19);
  const paint = (state: string) =>
    tty && COLORS[state] ? `\u001b[${COLORS[state]}m${state}\u001b[0m` : state;
  if (change.kind === 'run') {
    const { run } = change;
    return `${time}  ${run.dagId} ${run.runId}  run ${paint(run.state)}${run.reason ? `  (${run.reason})` : ''}`;
  }
  const ti = change.instance;
  const index = ti.mapIndex >= 0 ? `[${ti.mapIndex}]` : '';
  const why =
    ti.state === 'failed' ||
    ti.state === 'up_for_retry' ||
    ti.state === 'skipped' ||
    ti.state === 'upstream_failed';
  return `${time}  ${ti.dagId} ${ti.runId}  ${ti.taskId}${index} ${paint(ti.state)} (try ${ti.tryNumber})${why && ti.reason ? `  ${ti.reason}` : ''}`;
}

/**
 * `updraft dev` (npm start): the whole orchestrator in this process — persisted state under the
 * data folder, the API, the scheduler, the workers — with a banner, one line per state change,
 * and the DAGs folder hot-reloaded (a broken edit is reported and the previous bundle keeps running).
 */
export function registerDev(program: Command, io: Io): void {
  withLocalStackOptions(
    withDagsOptions(program.command('dev').description('run the whole orchestrator locally (npm start)')),
  )
    .option('--home <dir>', 'data folder (env UPDRAFT_HOME, default .updraft)')
    .option('--workers <n>', 'tasks that may run at once (env UPDRAFT_WORKERS, default 8)', parsePositive)
    .action(async (given: DevOptions) => {
      const options = resolveDevOptions(given);
      process.env.UPDRAFT_LOG_LEVEL ??= 'warn';
      const tty = Boolean(process.stdout.isTTY);
      const token = await localApiToken(options.home);
      const unlock = await lockHome(options.home).catch((error: Error) => {
        throw new CliError(ExitCode.Failed, [`error: ${error.message}`]);
      });
      const started = Date.now();
      const stack = await startLocalStack({
        dagsFolder: options.dagsFolder,
        token,
        port: options.port,
        tickSeconds: options.tickSeconds,
        home: options.home,
        workers: options.workers,
        decorateStore: (store) => observeStore(store, (change) => io.out(describe(change, tty))),
      }).catch((error: unknown) => {
        if (error instanceof BundleRejectedError)
          throw new Error(`${error.message}\nfix the DAG files and start again`);
        throw error;
      });
      const dags = stack.bundle.manifest.dags.map((d) => d.dagId);
      io.out(
        [
          `Updraft is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
          `  API        ${stack.url}/api/v1   token: ${token}`,
          `  data       ${path.resolve(options.home)}${stack.orphans ? `   (${stack.orphans} interrupted task(s) will run again)` : ''}`,
          `  DAGs       ${dags.length} from ${options.dagsFolder}/ (bundle ${stack.bundle.manifest.version}): ${dags.join(', ')}`,
          `  trigger    npx updraft trigger <dag_id>   or   curl -X POST ${stack.url}/api/v1/dags/<dag_id>/dagRuns -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' -d '{"conf": {}}'`,
          '  Ctrl-C stops; state survives restarts.',
        ].join('\n'),
      );
      const reload = debounce(async () => {
        try {
          const built = await publishDagsFolder(stack.deps.bundles, options.dagsFolder);
          io.out(
            `reloaded ${options.dagsFolder}/: bundle ${built.manifest.version} (${built.manifest.dags.length} DAGs); new runs use it, running runs keep theirs`,
          );
        } catch (error) {
          if (!(error instanceof BundleRejectedError)) throw error;
          io.err(`${error.problems.map((p) => `error: ${p}`).join('\n')}\nthe previous bundle keeps running`);
        }
      }, 300);
      const watcher = watch(options.dagsFolder, { recursive: true }, (_event, file) => {
        if (file && /\.ts$/.test(String(file))) reload();
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      io.out('stopping: running tasks are reset and re-run on the next start');
      watcher.close();
      await stack.stop();
      await unlock();
    });
}

function debounce(fn: () => Promise<void>, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(fn).catch(() => undefined);
    }, ms);
  };
}
