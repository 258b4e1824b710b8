import path from 'node:path';
import type { Command } from 'commander';
import { localApiToken } from '../../local/api-token';
import { startLocalStack } from '../../local/stack';
import type { Io } from '../io';
import { localStackOptions, withDagsOptions, withLocalStackOptions } from '../options';

/**
 * `updraft api serve`: the API on http://127.0.0.1:8080 over emulators, with the scheduler and
 * workers running in this process (until local mode persists state, everything is in memory).
 */
export function registerApiServe(program: Command, io: Io): void {
  const api = program.command('api').description('the HTTP API (Airflow stable REST API v1)');
  withLocalStackOptions(
    withDagsOptions(
      api.command('serve').description('serve the API locally, with the scheduler and workers running'),
    ),
  ).action(async (given: { dagsFolder: string; port?: number; tickSeconds?: number }) => {
    const options = { ...given, ...localStackOptions(given) };
    // The handlers' JSON lines are for CloudWatch; on a terminal only problems are worth printing.
    process.env.UPDRAFT_LOG_LEVEL ??= 'warn';
    const dataDir = process.env.UPDRAFT_HOME ?? '.updraft';
    const token = await localApiToken(dataDir);
    const stack = await startLocalStack({
      dagsFolder: options.dagsFolder,
      token,
      port: options.port,
      tickSeconds: options.tickSeconds,
    });
    io.out(
      [
        `Updraft API on ${stack.url}/api/v1 (bundle ${stack.bundle.manifest.version}, ${stack.bundle.manifest.dags.length} DAGs: ${stack.bundle.manifest.dags.map((d) => d.dagId).join(', ')})`,
        `token: ${token}  (${process.env.UPDRAFT_API_TOKEN ? 'from UPDRAFT_API_TOKEN' : `stored in ${path.join(dataDir, 'api-token')}`})`,
        'trigger a run:',
        `  curl -X POST ${stack.url}/api/v1/dags/etl_linear/dagRuns -H 'Content-Type: application/json' -H "Authorization: Bearer ${token}" -d '{"conf": {}}'`,
        'state is in memory until local mode lands: it is gone when this process stops. Ctrl-C to stop.',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    io.out('stopping…');
    await stack.stop();
  });
}
