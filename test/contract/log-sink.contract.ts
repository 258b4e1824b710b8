import { describe, expect, it, vi } from 'vitest';
import type { TaskInstanceKey } from '../../functions/core/records';
import type { LogReader, LogSink } from '../../functions/ports/task-log';

/** How a contract test configures the adapter: a short flush interval and a deterministic clock. */
export interface LogSinkSetup {
  flushIntervalMs: number;
  clock: () => string;
}

/** An attempt's key: run ids carry `:` and `+`, as Airflow's do. */
export const logKey = (overrides: Partial<TaskInstanceKey> = {}): TaskInstanceKey => ({
  dagId: 'etl',
  runId: 'manual__2024-05-01T00:00:00+00:00',
  taskId: 'load',
  mapIndex: -1,
  ...overrides,
});

/** A clock that ticks one second per reading, from 2024-05-01T00:00:00Z. */
export function steppingClock(): () => string {
  let ms = Date.parse('2024-05-01T00:00:00.000Z');
  return () => {
    const now = new Date(ms).toISOString();
    ms += 1000;
    return now;
  };
}

/** The LogSink + LogReader contract: what every task-log adapter must do. */
export function logSinkContract(
  name: string,
  setup: (options: LogSinkSetup) => Promise<LogSink & LogReader>,
): void {
  describe(`LogSink contract: ${name}`, () => {
    const make = (flushIntervalMs = 60_000) => setup({ flushIntervalMs, clock: steppingClock() });

    it('stores every line as "[time] LEVEL - message" once closed', async () => {
      const sink = await make();
      const log = await sink.open(logKey(), 1);
      log.write('info', 'starting');
      log.write('warn', 'slow source');
      log.write('error', 'failed: boom\n  at line 3');
      await log.close();
      const chunk = await sink.read(logKey(), 1);
      expect(chunk.content).toBe(
        '[2024-05-01T00:00:00.000Z] INFO - starting\n' +
          '[2024-05-01T00:00:01.000Z] WARNING - slow source\n' +
          '[2024-05-01T00:00:02.000Z] ERROR - failed: boom\n  at line 3\n',
      );
      expect(chunk.nextOffset).toBeGreaterThan(0);
      expect(await sink.read(logKey(), 1, { offset: chunk.nextOffset })).toEqual({
        content: '',
        nextOffset: chunk.nextOffset,
      });
    });

    it('can be tailed while the task runs, from the last offset', async () => {
      const sink = await make(30);
      const log = await sink.open(logKey(), 1);
      log.write('info', 'one');
      log.write('info', 'two');
      const first = await vi.waitFor(async () => {
        const chunk = await sink.read(logKey(), 1);
        expect(chunk.content).toContain('two');
        return chunk;
      });
      log.write('info', 'three');
      const second = await vi.waitFor(async () => {
        const chunk = await sink.read(logKey(), 1, { offset: first.nextOffset });
        expect(chunk.content).not.toBe('');
        return chunk;
      });
      expect(second.content).toBe('[2024-05-01T00:00:02.000Z] INFO - three\n');
      await log.close();
      expect((await sink.read(logKey(), 1, { offset: second.nextOffset })).content).toBe('');
    });

    it('reads a log that does not exist as empty at offset 0', async () => {
      const sink = await make();
      expect(await sink.read(logKey({ taskId: 'never' }), 1)).toEqual({ content: '', nextOffset: 0 });
    });

    it('keeps the lines of a task that threw (close runs in a finally)', async () => {
      const sink = await make();
      const run = async () => {
        const log = await sink.open(logKey(), 2);
        try {
          log.write('info', 'about to fail');
          throw new Error('task failed');
        } finally {
          await log.close();
        }
      };
      await expect(run()).rejects.toThrow('task failed');
      expect((await sink.read(logKey(), 2)).content).toContain('INFO - about to fail');
    });

    it('throws a clear error on a write after close, keeping what was written', async () => {
      const sink = await make();
      const log = await sink.open(logKey(), 1);
      log.write('info', 'kept');
      await log.close();
      expect(() => log.write('error', 'too late')).toThrow(/closed.*too late/);
      await log.close(); // idempotent
      expect((await sink.read(logKey(), 1)).content).toBe('[2024-05-01T00:00:00.000Z] INFO - kept\n');
    });

    it('continues the log when an attempt is reopened (each reschedule poke of one try)', async () => {
      const sink = await make();
      for (const poke of [1, 2, 3]) {
        const log = await sink.open(logKey(), 1);
        log.write('info', `poke ${poke}`);
        await log.close();
      }
      expect((await sink.read(logKey(), 1)).content.match(/poke \d/g)).toEqual([
        'poke 1',
        'poke 2',
        'poke 3',
      ]);
    });

    it('keeps attempts and map indexes apart', async () => {
      const sink = await make();
      const keys = [logKey(), logKey({ mapIndex: 0 }), logKey({ mapIndex: 2 })];
      for (const key of keys) {
        for (const tryNumber of [1, 2]) {
          const log = await sink.open(key, tryNumber);
          log.write('info', `map ${key.mapIndex} try ${tryNumber}`);
          await log.close();
        }
      }
      for (const key of keys) {
        for (const tryNumber of [1, 2]) {
          expect((await sink.read(key, tryNumber)).content).toMatch(
            new RegExp(`^\\[[^\\]]+\\] INFO - map ${key.mapIndex} try ${tryNumber}\\n$`),
          );
        }
      }
    });
  });
}
