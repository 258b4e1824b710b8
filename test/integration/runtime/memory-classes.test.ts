import { afterEach, describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { createWorkerHandler } from '../../../functions/runtime/handlers/worker-handler';
import { awsPorts } from '../../helpers/aws-ports';
import { createHarness, publishDags, sqsEvent } from '../../helpers/runtime-harness';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('worker memory classes (dynalite + fauxqs, one queue per class)', () => {
  it('routes each task to the smallest class with its memory; a task larger than every class fails with the fix', async () => {
    const aws = await awsPorts('dynalite', { memoryClasses: [1024, 4096] });
    cleanup = aws.dispose;
    const harness = createHarness(aws.ports);
    await publishDags(aws.ports.bundles, 'test/fixtures/dags/memory-classes');
    const triggered = await triggerDagRun(
      { ...aws.ports, clock: harness.clock },
      { dagId: 'memory_classes' },
    );
    if (!triggered.ok) throw new Error(triggered.message);
    const runId = triggered.run.runId;
    // One worker function per class, each knowing its memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
    const context = { getRemainingTimeInMillis: () => 60_000 };
    const workers = new Map(
      [...aws.classQueues].map(([memoryMiB, url]) => [
        memoryMiB,
        {
          url,
          handle: createWorkerHandler(
            { ...harness.workerDeps, memoryLimitMiB: memoryMiB },
            { safetyMarginSeconds: 5 },
          ),
        },
      ]),
    );
    const seen: string[] = [];
    const pump = async (memoryMiB: number) => {
      const worker = workers.get(memoryMiB)!;
      const messages = await aws.receiveFrom(worker.url);
      for (const m of messages) seen.push(`${m.taskId}@${memoryMiB}`);
      if (messages.length > 0) await worker.handle(sqsEvent(messages), context);
      return messages.length;
    };

    await harness.tick();
    expect(await aws.ports.receive()).toEqual([]); // the default queue is not used when classes exist
    while ((await pump(1024)) + (await pump(4096)) > 0);

    expect(seen).toEqual(['small@1024', 'big@4096', 'huge@4096']);
    const instances = await aws.ports.store.listTaskInstances('memory_classes', runId);
    const byTask = Object.fromEntries(instances.map((i) => [i.taskId, i]));
    expect(byTask.small?.state).toBe('success');
    expect(byTask.big?.state).toBe('success');
    expect(byTask.huge).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining(
        'task declares memoryMiB 8192 but the largest worker memory class has 4096 MiB',
      ),
    });
    expect(byTask.huge?.reason).toContain('updraft:workerMemoryClasses');
    expect((await aws.ports.store.getRun('memory_classes', runId))?.state).toBe('failed');
  });
});
