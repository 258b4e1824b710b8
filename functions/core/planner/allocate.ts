import type { Command, Note } from './commands';
import type { ReadyTask } from './ready';

/** Concurrency left: per DAG (`maxActiveTasks` minus queued/running) and per pool (free slots). */
export interface Budget {
  /** Free task slots per DAG id. */
  dagSlots: Map<string, number>;
  /** Free slots per pool; a pool missing from the map is unlimited (no pools configured). */
  poolSlots?: Map<string, number>;
  /** Pool sizes, for readable reasons. */
  poolSizes?: Map<string, number>;
}

/** Ready task with the run it belongs to, for ordering. */
export interface Candidate extends ReadyTask {
  logicalDate: string;
}

/**
 * Queues ready tasks within the budget, highest `priorityWeight` first, then older runs first
 * (Airflow's executor ordering); the rest wait with a reason and are planned again next pass.
 */
export function allocate(
  candidates: readonly Candidate[],
  budget: Budget,
): { commands: Command[]; notes: Note[] } {
  const ordered = candidates
    .map((c, order) => ({ c, order }))
    .sort(
      (a, b) =>
        b.c.priorityWeight - a.c.priorityWeight ||
        a.c.logicalDate.localeCompare(b.c.logicalDate) ||
        a.order - b.order,
    )
    .map(({ c }) => c);
  const commands: Command[] = [];
  const notes: Note[] = [];
  for (const c of ordered) {
    const dagFree = budget.dagSlots.get(c.key.dagId) ?? Number.POSITIVE_INFINITY;
    if (dagFree < 1) {
      notes.push({ key: c.key, reason: `max_active_tasks reached for DAG "${c.key.dagId}"` });
      continue;
    }
    const poolFree = budget.poolSlots?.get(c.pool);
    if (budget.poolSlots && poolFree === undefined) {
      notes.push({ key: c.key, reason: `pool "${c.pool}" does not exist; create it or use another pool` });
      continue;
    }
    const size = budget.poolSizes?.get(c.pool);
    // Would wait forever: say so instead of "pool full", which suggests waiting helps.
    if (size !== undefined && c.poolSlots > size) {
      notes.push({
        key: c.key,
        reason: `pool "${c.pool}" has ${size} slots, fewer than the ${c.poolSlots} this task needs; resize the pool or lower poolSlots`,
      });
      continue;
    }
    if (poolFree !== undefined && poolFree < c.poolSlots) {
      notes.push({
        key: c.key,
        reason: `pool full: "${c.pool}" has ${poolFree} of ${size ?? '?'} slots free, needs ${c.poolSlots}`,
      });
      continue;
    }
    budget.dagSlots.set(c.key.dagId, dagFree - 1);
    if (poolFree !== undefined) budget.poolSlots!.set(c.pool, poolFree - c.poolSlots);
    const { key, from, tryNumber, memoryMiB, reason, pokeCount } = c;
    commands.push({
      kind: 'queue_task',
      key,
      from,
      tryNumber,
      memoryMiB,
      ...(pokeCount !== undefined && { pokeCount }),
      reason,
    });
  }
  return { commands, notes };
}
