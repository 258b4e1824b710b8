import { type SensorSpec, sensorSpecOf, type TaskSpec } from './model';
import type { TaskInstanceRecord } from './records';
import { fnv1a32 } from './rules/stable-hash';
import { TaskState } from './states';

/**
 * Reschedule-mode sensors (Airflow's BaseSensorOperator with `mode="reschedule"`): each poke is
 * one short attempt of the same try; between pokes the instance is `up_for_reschedule` and no
 * worker runs. The poke state of the current try lives on the task instance (`firstPokeAt`,
 * `pokeCount`), because the timeout runs from the first poke and the backoff grows per poke.
 */

/** The sensor spec of a task that pokes in reschedule mode, else undefined. */
export function rescheduleSensor(task: TaskSpec): SensorSpec | undefined {
  const spec = sensorSpecOf(task.operator);
  return spec?.mode === 'reschedule' ? spec : undefined;
}

/** Poke-state fields that start a try afresh (written on retry and on clear). */
export const POKE_STATE_RESET = { pokeCount: 0, firstPokeAt: null, externalJob: null } as const;

/**
 * The external job an earlier poke of try `tryNumber` started (Athena's QueryExecutionId), so
 * later pokes poll it instead of starting another. A job of another try is ignored: a retry
 * starts afresh even when a zombie failure left the old try's poke state in place.
 */
export function externalJobOf(ti: TaskInstanceRecord, tryNumber: number): string | undefined {
  return ti.externalJob?.tryNumber === tryNumber ? ti.externalJob.id : undefined;
}

/**
 * True when the sensor's timeout has passed at `now` for the poke about to run in claimed `ti`:
 * the same rule as `afterUnmetPoke`, evaluated before a poke, so an operator holding an external
 * job can cancel it on its last poke instead of leaving it running.
 */
export function pokeTimedOut(spec: SensorSpec, ti: TaskInstanceRecord, now: string): boolean {
  const firstPokeAt = pokesSoFar(ti).firstPokeAt ?? ti.startDate ?? now;
  return (Date.parse(now) - Date.parse(firstPokeAt)) / 1000 > spec.timeoutSeconds;
}

/** Pokes made before the attempt `ti` (the claimed record) and when the first one started. */
export function pokesSoFar(ti: TaskInstanceRecord): { count: number; firstPokeAt?: string } {
  const count = ti.pokeCount ?? 0;
  // firstPokeAt only means something once a poke was counted (a reset writes count 0).
  return count > 0 && ti.firstPokeAt ? { count, firstPokeAt: ti.firstPokeAt } : { count: 0 };
}

/** What an unmet poke leads to: the next poke, or the sensor's timeout (skip with softFail). */
export type UnmetPoke =
  | { kind: 'reschedule'; nextPokeAt: string; pokeCount: number; firstPokeAt: string; reason: string }
  | {
      kind: 'timeout';
      state: typeof TaskState.Skipped | typeof TaskState.Failed;
      pokeCount: number;
      reason: string;
    };

/**
 * Decides after poke number `count + 1` of `ti` found the condition unmet (`why`) at `now`, as Airflow:
 * timed out when more than `timeoutSeconds` passed since the try's first poke (AirflowSensorTimeout,
 * never retried), else rescheduled after `pokeIntervalSeconds` (or the backoff interval).
 */
export function afterUnmetPoke(
  spec: SensorSpec,
  ti: TaskInstanceRecord,
  now: string,
  why = 'condition not met',
): UnmetPoke {
  const before = pokesSoFar(ti);
  const pokeCount = before.count + 1;
  // The first poke of the try started when this attempt was claimed.
  const firstPokeAt = before.firstPokeAt ?? ti.startDate ?? now;
  const duration = (Date.parse(now) - Date.parse(firstPokeAt)) / 1000;
  if (duration > spec.timeoutSeconds) {
    const reason =
      `sensor timeout: condition not met after ${pokeCount} poke${pokeCount === 1 ? '' : 's'} ` +
      `in ${Math.round(duration)}s (timeout ${spec.timeoutSeconds}s)`;
    return {
      kind: 'timeout',
      state: spec.softFail ? TaskState.Skipped : TaskState.Failed,
      pokeCount,
      reason,
    };
  }
  const wait = nextPokeIntervalSeconds(spec, {
    dagId: ti.dagId,
    taskId: ti.taskId,
    firstPokeAt,
    pokeCount,
    durationSeconds: duration,
  });
  const nextPokeAt = new Date(Date.parse(now) + wait * 1000).toISOString();
  const reason = `poke ${pokeCount}: ${why}; next poke at ${nextPokeAt} (in ${wait}s)`;
  return { kind: 'reschedule', nextPokeAt, pokeCount, firstPokeAt, reason };
}

/** What the next interval depends on: the poke that just ran (1-based) and the try's first poke. */
export interface PokeKey {
  dagId: string;
  taskId: string;
  firstPokeAt: string;
  pokeCount: number;
  /** Seconds since the first poke, for capping the backoff at the remaining timeout. */
  durationSeconds: number;
}

/**
 * Seconds until the next poke, as Airflow's `_get_next_poke_interval`: `pokeIntervalSeconds`
 * without backoff; with it `min_backoff = max(1, floor(interval × 2^(pokeCount − 2)))` plus a
 * deterministic jitter in `[0, min_backoff)`, capped at the remaining timeout and `maxWaitSeconds`.
 * Airflow hashes with sha1; core has no crypto, so FNV-1a over the same key (only the range matters).
 */
export function nextPokeIntervalSeconds(spec: SensorSpec, key: PokeKey): number {
  if (!spec.exponentialBackoff) return spec.pokeIntervalSeconds;
  const minBackoff = Math.max(1, Math.floor(spec.pokeIntervalSeconds * 2 ** (key.pokeCount - 2)));
  const jitter = fnv1a32(`${key.dagId}#${key.taskId}#${key.firstPokeAt}#${key.pokeCount}`) % minBackoff;
  let wait = Math.min(
    minBackoff + jitter,
    Math.max(0, spec.timeoutSeconds - Math.floor(key.durationSeconds)),
  );
  if (spec.maxWaitSeconds) wait = Math.min(wait, spec.maxWaitSeconds);
  return wait;
}
