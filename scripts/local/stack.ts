import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { tableDefinition } from '../../functions/adapters/aws/dynamo/table';
import { localSecretProvider } from '../../functions/adapters/local/chain-secret-provider';
import { EnvSecretProvider } from '../../functions/adapters/local/env-secret-provider';
import { FileBlobStore } from '../../functions/adapters/local/file-blob-store';
import { FileBundleStore } from '../../functions/adapters/local/file-bundle-store';
import { FileLogStore } from '../../functions/adapters/local/file-log-store';
import { LocalContainerRunner } from '../../functions/adapters/local/process-container-runner';
import type { PipOptions } from '../../functions/adapters/local/python-environments';
import { resetOrphans } from '../../functions/app/reset-orphans';
import { schedulerTick } from '../../functions/app/scheduler-tick';
import type { RunStore } from '../../functions/ports/run-store';
import { createAwsDeps, systemClock } from '../../functions/runtime/aws-deps';
import { readConfig } from '../../functions/runtime/config';
import { ENV } from '../../functions/runtime/env-keys';
import { createApiHandler } from '../../functions/runtime/handlers/api-handler';
import { createWorkerHandler } from '../../functions/runtime/handlers/worker-handler';
import { createApiRouter } from '../../functions/runtime/http/api';
import { bearerAuthorizer } from '../../functions/runtime/http/auth';
import { errorFields, logJson } from '../../functions/runtime/log';
import { emulatedClients } from '../emulators/clients';
import { startDynalite } from '../emulators/dynamodb';
import { startFauxqs } from '../emulators/fauxqs';
import { serveApi } from './http-server';
import { publishDagsFolder } from './publish';

/** Applies a store decorator to every dependency set that holds the store. */
function decorate(deps: ReturnType<typeof createAwsDeps>, wrap?: (store: RunStore) => RunStore) {
  if (!wrap) return deps;
  const store = wrap(deps.store);
  return { ...deps, store, tick: { ...deps.tick, store }, worker: { ...deps.worker, store } };
}

/** Options of an in-process Updraft: everything the AWS stack runs, on emulators. */
export interface LocalStackOptions {
  dagsFolder: string;
  token: string;
  /** API port; 0 picks a free one. */
  port: number;
  /** Scheduler tick period in seconds (EventBridge's minute, shortened). Default 5. */
  tickSeconds?: number;
  /** Worker loops, each running one task at a time (Lambda's concurrency, locally). Default 8. */
  workers?: number;
  /**
   * Data folder: DynamoDB tables (dynalite's LevelDB), bundles, logs and XCom blobs persist
   * there and survive a restart. Without it everything is in memory.
   */
  home?: string;
  /** Wraps the run store (local mode prints state changes through it). */
  decorateStore?: (store: RunStore) => RunStore;
}

/**
 * pip options of local Python environments: `UPDRAFT_PIP_FIND_LINKS` (folders or URLs, separated
 * by commas or spaces) installs from there instead of the index unless `UPDRAFT_PIP_NO_INDEX=false`;
 * pip's own `PIP_*` variables (an index URL, a proxy) apply as always.
 */
export function pipOptions(env: NodeJS.ProcessEnv): PipOptions {
  // Commas or whitespace: a colon would split the URLs pip accepts here (https://…).
  const findLinks = (env.UPDRAFT_PIP_FIND_LINKS ?? '').split(/[\s,]+/).filter(Boolean);
  if (findLinks.length === 0) return {};
  return { findLinks, noIndex: env.UPDRAFT_PIP_NO_INDEX !== 'false' };
}

/**
 * Starts the whole orchestrator in this process: dynalite and fauxqs on loopback, the table,
 * queue and bucket, the DAG bundle, the API handler on HTTP, the scheduler on a timer plus
 * kicks, and a worker loop feeding the real worker handler with SQS events.
 */
export async function startLocalStack(options: LocalStackOptions) {
  const home = options.home;
  if (home) await mkdir(home, { recursive: true });
  const [dynalite, fauxqs] = await Promise.all([
    startDynalite(home ? { path: path.join(home, 'dynamodb') } : {}),
    startFauxqs(),
  ]);
  const clients = emulatedClients({ dynamo: dynalite.endpoint, fauxqs: fauxqs.endpoint });

  const tableName = home ? 'updraft' : `updraft-${randomUUID().slice(0, 8)}`;
  await clients.dynamo.send(new CreateTableCommand(tableDefinition(tableName))).catch((error: Error) => {
    if (error.name !== 'ResourceInUseException') throw error; // persisted from an earlier start
  });
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'updraft-tasks' }));
  const bucket = 'updraft-local';
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // Local mode restarts often: repair lost messages and dead attempts within seconds, not minutes.
  // Tuning variables (UPDRAFT_MAX_MAP_LENGTH …) apply as on AWS; the wiring is this stack's own.
  const env = process.env;
  const config = readConfig({
    ...env,
    [ENV.tableName]: tableName,
    [ENV.queueUrl]: QueueUrl,
    [ENV.bucket]: bucket,
    [ENV.workerQueues]: undefined,
    [ENV.metricsNamespace]: undefined,
    [ENV.heartbeatSeconds]: env[ENV.heartbeatSeconds] ?? '5',
    [ENV.requeueAfterSeconds]: env[ENV.requeueAfterSeconds] ?? '10',
    [ENV.zombieAfterSeconds]: env[ENV.zombieAfterSeconds] ?? '30',
  });
  const overrides = home
    ? {
        bundles: new FileBundleStore(path.join(home, 'bundles')),
        logs: new FileLogStore(path.join(home, 'logs')),
        blobs: new FileBlobStore(path.join(home, 'blobs')),
        secrets: localSecretProvider(home),
      }
    : { secrets: new EnvSecretProvider() };
  // The emulator forgets buckets on restart and has no console: the S3 operators create them on use.
  // A task that triggers a DAG run kicks the in-process tick (declared below; called only later).
  // Container and Python tasks run as processes here: venvs under <home>/envs, memory enforced.
  const containers = new LocalContainerRunner({
    envsDir: home ? path.join(home, 'envs') : path.join(tmpdir(), 'updraft-envs'),
    bundleDir: (version) => deps.bundles.localDir(version),
    pip: pipOptions(env),
    dagsFolder: path.resolve(options.dagsFolder),
  });
  const local = {
    ...overrides,
    createMissingBuckets: true,
    athena: false,
    lambda: false,
    containers: { kind: 'inline' as const, runner: containers },
    kick: () => tick(),
  };
  const deps = decorate(createAwsDeps(config, clients, systemClock, local), options.decorateStore);
  // The process that owned queued and running attempts is gone (this is a fresh start).
  const orphans = home ? await resetOrphans({ store: deps.store, clock: systemClock }) : 0;
  const built = await publishDagsFolder(deps.bundles, options.dagsFolder);

  let stopping = false;
  let ticking: Promise<unknown> = Promise.resolve();
  const tick = () => {
    ticking = ticking
      .then(() => schedulerTick(deps.tick))
      .catch((error) => logJson('error', 'tick failed', errorFields(error)));
    return ticking.then(() => undefined);
  };
  const timer = setInterval(() => void tick(), (options.tickSeconds ?? 5) * 1000);
  const worker = createWorkerHandler(deps.worker, { safetyMarginSeconds: 5 });
  const workerLoop = async () => {
    while (!stopping) {
      const { Messages = [] } = await clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) continue;
      const records = Messages.map(
        (m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }) as SQSRecord,
      );
      const { batchItemFailures } = await worker(
        { Records: records },
        { getRemainingTimeInMillis: () => 900_000 },
      );
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      const done = Messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length > 0) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
  };
  // Each loop is one worker; together they bound how many tasks run at once.
  const workerLoops = Promise.all(Array.from({ length: options.workers ?? 8 }, () => workerLoop()));
  const router = createApiRouter({ ...deps, clock: systemClock, kick: tick });
  const api = await serveApi(createApiHandler(router, bearerAuthorizer(options.token)), {
    port: options.port,
  });
  await tick();
  return {
    url: api.url,
    /** The emulated S3 the S3 operators use (`aws --endpoint-url … s3 ls s3://bucket`). */
    s3Endpoint: fauxqs.endpoint,
    deps,
    orphans,
    bundle: built,
    tick,
    stop: async () => {
      stopping = true;
      clearInterval(timer);
      await new Promise((resolve) => api.server.close(resolve));
      await workerLoops.catch(() => undefined);
      await ticking;
      for (const client of Object.values(clients)) client.destroy();
      await Promise.all([dynalite.stop(), fauxqs.stop()]);
    },
  };
}
