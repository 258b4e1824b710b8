import { describe, expect, it } from 'vitest';
import type { TaskMessage, TaskQueue } from '../../functions/ports/task-queue';

/** A queue under test and a way to take what it delivered (decoded), as a worker would. */
export interface TaskQueueFixture {
  queue: TaskQueue;
  /** Receives (and deletes) every message deliverable now, waiting up to `waitMs` for `expected` of them. */
  drain(expected: number, waitMs?: number): Promise<TaskMessage[]>;
}

/** A message per index: mapped and unmapped instances, various try numbers. */
export function taskMessages(count: number, runId = 'manual__2024-05-01T00:00:00+00:00'): TaskMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    dagId: 'etl',
    runId,
    taskId: `t${i}`,
    mapIndex: i % 3 === 0 ? -1 : i,
    tryNumber: 1 + (i % 2),
  }));
}

const byTask = (a: TaskMessage, b: TaskMessage) => a.taskId.localeCompare(b.taskId, 'en', { numeric: true });

/** The TaskQueue port contract: what every adapter must do. */
export function taskQueueContract(name: string, setup: () => Promise<TaskQueueFixture>): void {
  describe(`TaskQueue contract: ${name}`, () => {
    it('delivers every message of a large send, with its fields intact', async () => {
      const { queue, drain } = await setup();
      const messages = taskMessages(25);
      await queue.send(messages);
      const received = await drain(25);
      expect(received.sort(byTask)).toEqual(messages);
    });

    it('accepts an empty send', async () => {
      const { queue, drain } = await setup();
      await queue.send([]);
      expect(await drain(0, 0)).toEqual([]);
    });

    it('postpones delivery by delaySeconds', async () => {
      const { queue, drain } = await setup();
      const [message] = taskMessages(1);
      const sentAt = Date.now();
      await queue.send([message!], { delaySeconds: 1 });
      expect(await drain(1, 0)).toEqual([]);
      expect(await drain(1, 3000)).toEqual([message]);
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(900);
    });

    it.each([-1, 901, 1.5, Number.NaN])(
      'rejects delaySeconds %s with a clear error',
      async (delaySeconds) => {
        const { queue, drain } = await setup();
        await expect(queue.send(taskMessages(1), { delaySeconds })).rejects.toThrow(
          /delaySeconds must be .*0 to 900/,
        );
        expect(await drain(0, 0)).toEqual([]);
      },
    );
  });
}
