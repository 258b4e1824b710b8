import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { encodeTaskMessage } from '../../functions/adapters/aws/sqs/message-codec';
import { MemoryBundleStore } from '../../functions/adapters/memory/bundle-store';
import { MemoryLogSink } from '../../functions/adapters/memory/log-sink';
import { MemoryMetrics } from '../../functions/adapters/memory/metrics';
import { MemoryRunStore } from '../../functions/adapters/memory/run-store';
import { MemoryTaskQueue } from '../../functions/adapters/memory/task-queue';
import { MemoryXComStore } from '../../functions/adapters/memory/xcom-store';
import { NunjucksTemplateEngine } from '../../functions/adapters/shared/nunjucks-engine';
import { createDagRunTrigger } from '../../functions/app/dag-run-trigger';
import { createRunLookup } from '../../functions/app/run-lookup';
import type { WorkerDeps } from '../../functions/app/run-task-message';
import type { TickDeps } from '../../functions/app/scheduler-tick';
import { DEFAULT_PLAN_LIMITS, type PlanLimits } from '../../functions/core/planner/commands';
import { createOperatorRunner, type OperatorServices } from '../../functions/operators/registry';
import type { BundleStore } from '../../functions/ports/bundle-store';
import type { NotificationSender } from '../../functions/ports/notifications';
import type { RunStore } from '../../functions/ports/run-store';
import type { SecretProvider } from '../../functions/ports/secret-provider';
import type { LogSink } from '../../functions/ports/task-log';
import type { TaskMessage, TaskQueue } from '../../functions/ports/task-queue';
import type { XComStore } from '../../functions/ports/xcom-store';
import { BundleCodeLoader } from '../../functions/runtime/bundle-code-loader';
import { createSchedulerHandler } from '../../functions/runtime/handlers/scheduler-handler';
import { createWorkerHandler } from '../../functions/runtime/handlers/worker-handler';
import { buildBundle, bundleFiles } from '../../scripts/bundle';

/** A clock tests move by hand; starts at the real time so timers and records agree. */
export class ManualClock {
  private offsetMs = 0;
  now(): string {
    return new Date(Date.now() + this.offsetMs).toISOString();
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

/** The ports a harness drives; `receive` returns visible queue messages (and removes them). */
export interface HarnessPorts {
  store: RunStore;
  queue: TaskQueue;
  bundles: BundleStore;
  xcom: XComStore;
  logs: LogSink;
  receive(): Promise<TaskMessage[]>;
}

/** In-memory ports with the same semantics as the AWS adapters; queue delays follow `clock` when given. */
export function memoryPorts(
  clock?: ManualClock,
): HarnessPorts & { queue: MemoryTaskQueue; logs: MemoryLogSink } {
  const queue = new MemoryTaskQueue(clock ? () => Date.parse(clock.now()) : undefined);
  const xcom = new MemoryXComStore();
  return {
    store: new MemoryRunStore({ xcoms: xcom }),
    queue,
    bundles: new MemoryBundleStore(),
    xcom,
    logs: new MemoryLogSink(),
    receive: async () => queue.take(),
  };
}

/** A recorded-shape SQS event for the worker handler. */
export function sqsEvent(messages: readonly TaskMessage[]): SQSEvent {
  const Records = messages.map(
    (m, i): SQSRecord => ({
      messageId: `m-${i}-${m.taskId}-${m.mapIndex}-${m.tryNumber}`,
      receiptHandle: `rh-${i}`,
      body: encodeTaskMessage(m),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1700000000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1700000000000',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:updraft-tasks',
      awsRegion: 'us-east-1',
    }),
  );
  return { Records };
}

/** Drives the real scheduler and worker handlers over the given ports. */
export function createHarness(
  ports: HarnessPorts,
  options: {
    limits?: Partial<PlanLimits>;
    services?: OperatorServices;
    clock?: ManualClock;
    /** Sends callbacks' notifiers (tick and workers); failures land in `callbackErrors`. */
    notifications?: NotificationSender;
    /** Connections and variables for tasks and templates. */
    secrets?: SecretProvider;
  } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const limits = { ...DEFAULT_PLAN_LIMITS, ...options.limits };
  const metrics = new MemoryMetrics();
  const callbackErrors: string[] = [];
  const tickDeps: TickDeps = {
    store: ports.store,
    queue: ports.queue,
    bundles: ports.bundles,
    clock,
    limits,
    metrics,
    templates: new NunjucksTemplateEngine(),
    ...(options.notifications && { notifications: options.notifications }),
    ...(options.secrets && { secrets: options.secrets }),
    onCallbackError: (message) => callbackErrors.push(message),
  };
  const workerDeps: WorkerDeps = {
    ...tickDeps,
    xcom: ports.xcom,
    logs: ports.logs,
    code: new BundleCodeLoader(ports.bundles),
    templates: tickDeps.templates!,
    // trigger_dag_run creates runs in the same ports, as the AWS worker does (no kick: tests tick).
    runOperator: createOperatorRunner({
      dagRuns: createDagRunTrigger({ store: ports.store, bundles: ports.bundles, clock }),
      runLookup: createRunLookup(ports.store),
      ...options.services,
    }),
  };
  const tick = createSchedulerHandler(tickDeps);
  const handler = createWorkerHandler(workerDeps, { safetyMarginSeconds: 5 });
  /** Worker invocations so far and those still running (a sensor between pokes holds none). */
  const invocations = { total: 0, inFlight: 0 };
  const worker: typeof handler = async (event, context) => {
    invocations.total++;
    invocations.inFlight++;
    try {
      return await handler(event, context);
    } finally {
      invocations.inFlight--;
    }
  };
  const context = { getRemainingTimeInMillis: () => 60_000 };
  return {
    clock,
    ports,
    metrics,
    callbackErrors,
    workerDeps,
    invocations,
    tick: () => tick({ 'detail-type': 'Scheduled Event', source: 'aws.events' }),
    /** Delivers every visible message to the worker handler, as one SQS batch per call. */
    async deliver(messages?: TaskMessage[]) {
      const batch = messages ?? (await ports.receive());
      return batch.length === 0 ? { batchItemFailures: [] } : worker(sqsEvent(batch), context);
    },
    /** Ticks once, then delivers until the queue is empty; returns how many batches ran. */
    async drain(maxBatches = 100) {
      let batches = 0;
      for (; batches < maxBatches; batches++) {
        const messages = await ports.receive();
        if (messages.length === 0) break;
        await worker(sqsEvent(messages), context);
      }
      return batches;
    },
  };
}

/** Builds a DAGs folder and publishes it as the current bundle; returns the version. */
export async function publishDags(bundles: BundleStore, dagsFolder: string): Promise<string> {
  const result = await buildBundle({ dagsFolder });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
  await bundles.publish(result.manifest.version, bundleFiles(result));
  return result.manifest.version;
}
