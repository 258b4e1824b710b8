import type { Note } from '../core/planner/commands';
import type { TaskInstanceRecord } from '../core/records';
import { TaskState } from '../core/states';
import { StaleTransitionError } from '../ports/errors';
import type { RunStore } from '../ports/run-store';

/** Waits worth showing on the instance: pool waits (other waits are visible from upstream states). */
const isPoolWait = (reason: string) => reason.startsWith('pool ');

/**
 * Writes the pool wait of each instance that waits for a pool slot onto the instance (state
 * unchanged, `none` created when missing), so `runs show` and the API say "pool full: …" as
 * Airflow does. Only when the reason changed: a full pool costs one write per waiting instance,
 * not one per tick. A concurrent change (it got queued meanwhile) wins; nothing is retried.
 */
export async function recordPoolWaits(
  store: RunStore,
  notes: readonly Note[],
  instancesOf: (dagId: string, runId: string) => readonly TaskInstanceRecord[],
): Promise<number> {
  let written = 0;
  for (const note of notes) {
    if (!isPoolWait(note.reason)) continue;
    const current = instancesOf(note.key.dagId, note.key.runId).find(
      (i) => i.taskId === note.key.taskId && i.mapIndex === note.key.mapIndex,
    );
    if (current?.reason === note.reason) continue;
    const state = current?.state ?? TaskState.None;
    if (state !== TaskState.None && state !== TaskState.Scheduled && state !== TaskState.UpForRetry) continue;
    try {
      await store.updateTaskInstance(
        note.key,
        { state, tryNumber: current?.tryNumber ?? 0 },
        { state, reason: note.reason },
      );
      written++;
    } catch (error) {
      if (!(error instanceof StaleTransitionError)) throw error;
    }
  }
  return written;
}
