import type { Command } from '../core/planner/commands';
import type { RunStore } from '../ports/run-store';

/** How long a tick waits for the active-runs index to list the runs it created, and between looks. */
export const INDEX_WAIT = { timeoutMs: 2_000, pollMs: 50 } as const;

/**
 * Waits (bounded) until the active-runs index lists the runs this tick created and queued tasks
 * in. The index is eventually consistent, and the next tick (which cannot start before this one
 * returns) counts pool slots from the runs it lists: a run missing there would look like free
 * slots (ARCHITECTURE.md, "Pools"). Costs one Query per tick that created such runs, usually
 * none more. Returns false when the index still lagged at the deadline.
 */
export async function awaitCreatedRunsIndexed(
  store: Pick<RunStore, 'listActiveRuns'>,
  applied: readonly Command[],
  wait: { timeoutMs: number; pollMs: number } = INDEX_WAIT,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<boolean> {
  const queuedIn = new Set(
    applied.flatMap((c) => (c.kind === 'queue_task' ? [`${c.key.dagId}/${c.key.runId}`] : [])),
  );
  const created = applied.flatMap((c) =>
    c.kind === 'create_run' && queuedIn.has(`${c.dagId}/${c.runId}`) ? [`${c.dagId}/${c.runId}`] : [],
  );
  if (created.length === 0) return true;
  for (let waited = 0; ; waited += wait.pollMs) {
    const listed = new Set((await store.listActiveRuns()).map((r) => `${r.dagId}/${r.runId}`));
    if (created.every((id) => listed.has(id))) return true;
    if (waited >= wait.timeoutMs) return false;
    await sleep(wait.pollMs);
  }
}
