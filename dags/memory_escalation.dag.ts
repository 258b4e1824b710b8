/**
 * Out-of-memory, named and survived. Both tasks need about 600 MiB but declare 512 MiB: the first
 * attempt of each ends `out_of_memory` (limit and peak in its reason and log), and
 * `onOutOfMemory` retries it at once with double the memory, where it succeeds.
 * - `build_index` is TypeScript: its worker thread's heap is capped at its memory.
 * - `crunch` is a container (locally a process whose resident memory is watched, as Fargate's is).
 */
import { container, dag, image, task } from 'updraft';

const escalate = { retryWithMoreMemory: true, maxMemoryMiB: 2048 };
const python = image('python', { uri: 'public.ecr.aws/docker/library/python:3.12-slim' });
// Held for a second, as real work holds its data: the local watchdog samples every 100 ms, so a
// spike shorter than that can pass unseen (Fargate's cgroup would catch it).
const HOLD_600_MIB = 'import time; b = bytearray(600 * 1024 * 1024); time.sleep(1); print(len(b) // 2**20)';

export const memoryEscalation = dag(
  {
    dagId: 'memory_escalation',
    schedule: null,
    tags: ['example', 'memory'],
    doc: 'Two tasks that run out of memory once and succeed with double the memory.',
  },
  () => {
    task({ taskId: 'build_index', memoryMiB: 512, onOutOfMemory: escalate }, (ctx) => {
      // 600 MiB of numbers on the JS heap (8 MiB per array of a million doubles).
      const chunks: number[][] = [];
      for (let i = 0; i < 75; i++) chunks.push(new Array<number>(1024 * 1024).fill(i + 0.5));
      ctx.log.info(`indexed ${chunks.length} chunks of a million numbers`);
      return chunks.length;
    })();
    container({
      taskId: 'crunch',
      image: python,
      command: ['python', '-c', HOLD_600_MIB],
      local: ['python3', '-c', HOLD_600_MIB],
      memoryMiB: 512,
      onOutOfMemory: escalate,
    });
  },
);
