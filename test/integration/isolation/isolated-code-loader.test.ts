import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskContext } from '../../../functions/core/task-context';
import { classifyThrown } from '../../../functions/core/task-errors';
import { heapLimitMiB, runInThread } from '../../../functions/runtime/isolation/isolated-code-loader';

// A bundle-like module: a DAG object handing out task functions, as the SDK's Dag does.
const MODULE = `
export const tasks = {
  dagId: 'iso',
  taskCallable: (id) => ({
    add: async (ctx, a, b) => { ctx.log.info('adding', { a, b }); return a + b; },
    pull: async (ctx) => ({ upstream: await ctx.xcomPull('up'), secret: await ctx.variable('token') }),
    skip: async () => { throw Object.assign(new Error('nothing to do'), { name: 'SkipTaskError' }); },
    hog: async (ctx, mb) => {
      const keep = [];
      for (let i = 0; i < mb / 8; i++) keep.push(new Array(1024 * 1024).fill(i + 0.5));
      return keep.length;
    },
    wait: (ctx) =>
      new Promise((resolve) => {
        if (ctx.signal.aborted) resolve('stopped');
        ctx.signal.addEventListener('abort', () => resolve('stopped'));
      }),
    stubborn: () => new Promise(() => { setInterval(() => {}, 1000); }),
    fn: async () => () => 1,
    mask: async (ctx) => { ctx.mask('s3cr3t'); return 'ok'; },
  })[id],
};
`;

let dir: string;
let moduleUrl: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'updraft-iso-'));
  const file = path.join(dir, 'iso.dag.mjs');
  await writeFile(file, MODULE);
  moduleUrl = pathToFileURL(file).href;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A context whose services record what the thread asked for. */
function context(signal = new AbortController().signal) {
  const lines: string[] = [];
  const masked: string[] = [];
  const ctx = {
    dagId: 'iso',
    taskId: 't',
    runId: 'r',
    mapIndex: -1,
    tryNumber: 1,
    logicalDate: '2024-01-01T00:00:00.000Z',
    dataIntervalStart: '2024-01-01T00:00:00.000Z',
    dataIntervalEnd: '2024-01-02T00:00:00.000Z',
    ds: '2024-01-01',
    dsNodash: '20240101',
    ts: '2024-01-01T00:00:00+00:00',
    params: {},
    conf: {},
    log: {
      info: (m: string, f?: object) => lines.push(`info ${m}${f ? ` ${JSON.stringify(f)}` : ''}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    },
    xcomPull: async (taskId: string) => (taskId === 'up' ? [1, 2, 3] : undefined),
    connection: async () => {
      throw Object.assign(new Error('connection "x" not found'), { name: 'NonRetryableTaskError' });
    },
    variable: async (key: string) => `value-of-${key}`,
    mask: (value: string) => masked.push(value),
    signal,
  } satisfies TaskContext;
  return { ctx, lines, masked };
}

const run = (taskId: string, ctx: TaskContext, inputs: unknown[] = [], memoryMiB = 256) =>
  runInThread({ moduleUrl, dagId: 'iso', taskId, memoryMiB }, ctx, inputs);

describe('TS tasks in a worker thread of their own', () => {
  it('returns the value, and forwards log lines with their fields', async () => {
    const { ctx, lines } = context();
    await expect(run('add', ctx, [2, 3])).resolves.toBe(5);
    expect(lines).toEqual(['info adding {"a":2,"b":3}']);
  });

  it("serves the context's XCom and variable reads over messages, and masks what the task asks", async () => {
    const { ctx, masked } = context();
    await expect(run('pull', ctx)).resolves.toEqual({ upstream: [1, 2, 3], secret: 'value-of-token' });
    await expect(run('mask', ctx)).resolves.toBe('ok');
    expect(masked).toEqual(['s3cr3t']);
  });

  it('keeps the name of what the task threw, so skips and no-retry failures keep their meaning', async () => {
    const error = await run('skip', context().ctx).catch((e: unknown) => e);
    expect(classifyThrown(error)).toEqual({ kind: 'skipped', reason: 'nothing to do' });
  });

  it('ends a task past its heap limit as out_of_memory, and the host process lives on', async () => {
    const error = await run('hog', context().ctx, [400], 128).catch((e: unknown) => e);
    const outcome = classifyThrown(error);
    expect(outcome).toMatchObject({ kind: 'failed', retryable: true, outOfMemory: true });
    expect((outcome as { reason: string }).reason).toBe(
      `out_of_memory: TypeScript task exceeded its heap of ${heapLimitMiB(128)} MiB (limit 128 MiB)`,
    );
    // The same allocation fits in four times the memory.
    await expect(run('hog', context().ctx, [80], 512)).resolves.toBe(10);
  });

  it('passes an abort to the task, and terminates a task that ignores it', async () => {
    const polite = new AbortController();
    const waiting = run('wait', context(polite.signal).ctx);
    setTimeout(() => polite.abort(new Error('execution_timeout')), 50);
    await expect(waiting).resolves.toBe('stopped');

    const firm = new AbortController();
    const stubborn = run('stubborn', context(firm.signal).ctx);
    setTimeout(() => firm.abort(new Error('execution_timeout')), 50);
    await expect(stubborn).rejects.toThrow('execution_timeout');
  });

  it('refuses a return value that is not data', async () => {
    const error = await run('fn', context().ctx).catch((e: unknown) => e);
    expect(classifyThrown(error)).toEqual({
      kind: 'failed',
      retryable: false,
      reason: 'return value is not JSON data (XComs are JSON)',
    });
  });

  it('names a task its module does not have', async () => {
    await expect(run('nope', context().ctx)).rejects.toThrow('no function for task "nope" of DAG "iso"');
  });
});
