import type { DagSpec, JsonValue } from '../core/model';
import type { DagRunRecord } from '../core/records';
import { runIdFor } from '../core/run-id';
import { DagRunState } from '../core/states';
import { timetableFor } from '../core/timetables';
import { resolveParams } from '../core/validation/params';
import type { BundleStore } from '../ports/bundle-store';
import type { Clock } from '../ports/clock';
import type { RunStore } from '../ports/run-store';

/** A manual trigger (Airflow's `POST /dags/{dag_id}/dagRuns`). */
export interface TriggerRequest {
  dagId: string;
  runId?: string;
  /** Defaults to now. */
  logicalDate?: string;
  conf?: Record<string, JsonValue>;
  note?: string;
  /** Exact data interval (Airflow 2.8's trigger fields); inferred from the logical date otherwise. */
  dataInterval?: { start: string; end: string };
}

/** Why a trigger was refused, as the API maps it: 404 unknown DAG, 400 invalid conf. */
export type TriggerResult =
  | { ok: true; run: DagRunRecord }
  | { ok: false; kind: 'unknown_dag' | 'invalid_conf' | 'no_bundle'; message: string };

/**
 * Creates a queued manual run pinned to the current bundle; its data interval is inferred from
 * the logical date by the DAG's timetable. A duplicate run id or logical date throws
 * RunAlreadyExistsError (the API's 409). The scheduler starts it within max_active_runs.
 */
export async function triggerDagRun(
  deps: { store: RunStore; bundles: BundleStore; clock: Clock },
  request: TriggerRequest,
): Promise<TriggerResult> {
  const manifest = await deps.bundles.currentManifest();
  if (!manifest) return { ok: false, kind: 'no_bundle', message: 'no DAG bundle has been uploaded yet' };
  const dag: DagSpec | undefined = manifest.dags.find((d) => d.dagId === request.dagId);
  if (!dag)
    return {
      ok: false,
      kind: 'unknown_dag',
      message: `DAG "${request.dagId}" is not in bundle ${manifest.version}`,
    };
  const conf = request.conf ?? {};
  const params = resolveParams(dag.params, conf);
  if (!params.ok) return { ok: false, kind: 'invalid_conf', message: params.problems.join('; ') };
  const now = deps.clock.now();
  const logicalDate = request.logicalDate ?? now;
  const interval =
    request.dataInterval ?? timetableFor(dag.schedule, dag.timezone).inferManualDataInterval(logicalDate);
  const run: DagRunRecord = {
    dagId: dag.dagId,
    runId: request.runId ?? runIdFor('manual', logicalDate),
    runType: 'manual',
    state: DagRunState.Queued,
    logicalDate,
    dataIntervalStart: interval.start,
    dataIntervalEnd: interval.end,
    runAfter: now,
    conf,
    bundleVersion: manifest.version,
    externalTrigger: true,
    queuedAt: now,
    ...(request.note !== undefined && { note: request.note }),
  };
  await deps.store.createRun(run);
  return { ok: true, run };
}
