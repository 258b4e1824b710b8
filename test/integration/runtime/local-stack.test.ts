import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { observeStore } from '../../../scripts/local/observed-store';
import { startLocalStack } from '../../../scripts/local/stack';

describe('local stack worker pool', () => {
  it('never runs more tasks at once than it has workers', async () => {
    const dags = await mkdtemp(path.join(tmpdir(), 'updraft-pool-'));
    await writeFile(
      path.join(dags, 'wide.dag.ts'),
      `import { dag, empty, task } from 'updraft';
const nap = task('nap', () => new Promise((r) => setTimeout(() => r(1), 150)));
export default dag({ dagId: 'wide', maxActiveTasks: 50 }, () => {
  const root = empty('root');
  for (let i = 0; i < 6; i++) root.then(nap.override({ taskId: 'nap_' + i })());
});
`,
    );
    let running = 0;
    let peak = 0;
    const stack = await startLocalStack({
      dagsFolder: dags,
      token: 't',
      port: 0,
      tickSeconds: 1,
      workers: 2,
      decorateStore: (store) =>
        observeStore(store, (change) => {
          if (change.kind !== 'task') return;
          if (change.instance.state === 'running') peak = Math.max(peak, ++running);
          else if (['success', 'failed', 'up_for_retry'].includes(change.instance.state)) running--;
        }),
    });
    try {
      const result = await triggerDagRun(
        { ...stack.deps, clock: { now: () => new Date().toISOString() } },
        { dagId: 'wide' },
      );
      if (!result.ok) throw new Error(result.message);
      await stack.tick();
      let state = 'queued';
      for (let i = 0; i < 100 && state !== 'success'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = (await stack.deps.store.getRun('wide', result.run.runId))?.state ?? state;
      }
      expect(state).toBe('success');
      expect(peak).toBe(2);
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
