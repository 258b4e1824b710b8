import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DagSpec } from '../../core/model';
import type { TaskContext } from '../../core/task-context';
import { NonRetryableTaskError, OutOfMemoryError } from '../../core/task-errors';
import type { BundleStore } from '../../ports/bundle-store';
import type { LoadedCallable, TaskCodeLoader } from '../../ports/task-code';
import { THREAD_SOURCE } from './thread-source';

/** Heap a task gets out of its `memoryMiB`: the rest is the thread's own stacks, code and buffers. */
export function heapLimitMiB(memoryMiB: number): number {
  return Math.max(32, Math.floor(memoryMiB * 0.75));
}

/** How long a task may ignore an abort before its thread is terminated. */
const ABORT_GRACE_MS = 2_000;

type FromThread =
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { type: 'mask'; value: string }
  | { type: 'call'; id: number; method: 'xcomPull' | 'connection' | 'variable'; args: unknown[] }
  | { type: 'result'; value: unknown }
  | { type: 'error'; name: string; message: string; stack?: string };

/**
 * Loads TS task functions that run isolated from the worker: each attempt imports its run's
 * bundle module in a worker thread whose V8 heap is capped at the task's memory, so a task that
 * exhausts it ends `out_of_memory` instead of taking the worker (and the other tasks) down. The
 * context's I/O (XCom, connections, variables, masking, log) is served by the worker over messages.
 */
export class IsolatedCodeLoader implements TaskCodeLoader {
  readonly runtime = 'worker-thread';
  constructor(private readonly bundles: Pick<BundleStore, 'localDir'>) {}

  async load(
    bundleVersion: string,
    dag: DagSpec,
    taskId: string,
    memoryMiB?: number,
  ): Promise<LoadedCallable> {
    const dir = await this.bundles.localDir(bundleVersion);
    const moduleUrl = pathToFileURL(path.join(dir, dag.module)).href;
    const limit = memoryMiB ?? dag.tasks.find((t) => t.taskId === taskId)?.memoryMiB ?? 1024;
    return (context, ...inputs) =>
      runInThread({ moduleUrl, dagId: dag.dagId, taskId, memoryMiB: limit }, context as TaskContext, inputs);
  }
}

/** Runs one task function in a fresh worker thread and settles with its return value or error. */
export function runInThread(
  target: { moduleUrl: string; dagId: string; taskId: string; memoryMiB: number },
  ctx: TaskContext,
  inputs: unknown[],
): Promise<unknown> {
  const { log, xcomPull, connection, variable, mask, signal, ...context } = ctx;
  const heap = heapLimitMiB(target.memoryMiB);
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { moduleUrl: target.moduleUrl, dagId: target.dagId, taskId: target.taskId, context, inputs },
    resourceLimits: {
      maxOldGenerationSizeMb: heap,
      maxYoungGenerationSizeMb: Math.min(64, Math.ceil(heap / 8)),
    },
    stdout: false,
    stderr: false,
  });
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'abort' });
      setTimeout(
        () => settle(() => reject(signal.reason ?? new Error('task aborted'))),
        ABORT_GRACE_MS,
      ).unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const services = { xcomPull, connection, variable } as Record<
      string,
      (...a: unknown[]) => Promise<unknown>
    >;
    worker.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'log':
          log[message.level](message.message, message.fields);
          return;
        case 'mask':
          mask(message.value);
          return;
        case 'call':
          services[message.method]!(...message.args).then(
            (value) => worker.postMessage({ type: 'reply', id: message.id, ok: true, value }),
            (error: Error) =>
              worker.postMessage({
                type: 'reply',
                id: message.id,
                ok: false,
                error: { name: error.name, message: error.message },
              }),
          );
          return;
        case 'result':
          settle(() => resolve(message.value));
          return;
        case 'error':
          settle(() =>
            reject(Object.assign(new Error(message.message), { name: message.name, stack: message.stack })),
          );
          return;
      }
    });
    worker.on('error', (error: Error & { code?: string }) =>
      settle(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new OutOfMemoryError(target.memoryMiB, `TypeScript task exceeded its heap of ${heap} MiB`)
            : error,
        ),
      ),
    );
    worker.on('exit', (code) =>
      settle(() =>
        reject(
          new NonRetryableTaskError(
            `task "${target.taskId}" ended its thread (exit ${code}) before returning`,
          ),
        ),
      ),
    );
  });
}
