import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DagRunRecord, DagStateRecord, TaskInstanceKey } from '../../functions/core/records';
import type { DagRunState } from '../../functions/core/states';
import type { RunStore } from '../../functions/ports/run-store';
import type { XComStore } from '../../functions/ports/xcom-store';
import { type RunStoreUnderTest, runOn } from './run-store.contract';

const DAG = 'etl';
const day = (n: number) => runOn(n).logicalDate;
const interval = (n: number) => ({ start: day(n), end: day(n + 1) });
const NONE = { state: 'none', tryNumber: 0 } as const;
const ti = (runId: string, taskId: string, mapIndex = -1, dagId = DAG): TaskInstanceKey => ({
  dagId,
  runId,
  taskId,
  mapIndex,
});
/** A run `n` minutes into 2024: more than 31 runs with logical dates that still sort as text. */
const runAtMinute = (n: number): DagRunRecord => {
  const at = new Date(Date.UTC(2024, 0, 1, 0, n)).toISOString();
  return runOn(1, { runId: `scheduled__${at}`, logicalDate: at, dataIntervalStart: at });
};

/** Runs `work` on every input, 25 at a time (emulators are fast, round trips are not). */
async function inBatches<T>(inputs: readonly T[], work: (input: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < inputs.length; i += 25) await Promise.all(inputs.slice(i, i + 25).map(work));
}

/** Defines the contract of RunStore's API reads and deletes (listRuns, deleteRun, listDagStates). */
export function describeRunStoreQueriesContract(
  name: string,
  makeStore: () => Promise<RunStoreUnderTest>,
): void {
  describe(`RunStore listing and delete contract: ${name}`, () => {
    let subject: RunStoreUnderTest;
    let store: RunStore;
    let xcoms: XComStore;
    beforeEach(async () => {
      subject = await makeStore();
      ({ store, xcoms } = subject);
    });
    afterEach(async () => {
      await subject.dispose();
    });

    const dates = async (options?: Parameters<RunStore['listRuns']>[1]) => {
      const { runs, total } = await store.listRuns(DAG, options);
      return { dates: runs.map((r) => r.logicalDate), total };
    };
    const days = (...ns: number[]) => ns.map(day);

    describe('listRuns', () => {
      it('lists nothing for a DAG without runs', async () => {
        expect(await store.listRuns(DAG)).toEqual({ runs: [], total: 0 });
        expect(await store.listRuns(DAG, { states: ['running'], order: 'asc', offset: 3 })).toEqual({
          runs: [],
          total: 0,
        });
      });

      it('lists the runs of one DAG newest first by default, whole, with their total', async () => {
        await store.putDagStateIfAbsent({ dagId: DAG, isPaused: false });
        for (const n of [3, 1, 5, 2, 4]) await store.createRun(runOn(n, { conf: { n } }));
        await store.createRun(runOn(6, { dagId: 'other_dag' }));
        await store.createRun(runOn(9, { dagId: `${DAG}_2` }));
        const { runs, total } = await store.listRuns(DAG);
        expect(total).toBe(5);
        expect(runs).toEqual([5, 4, 3, 2, 1].map((n) => runOn(n, { conf: { n } })));
        expect(await dates({ order: 'asc' })).toEqual({ dates: days(1, 2, 3, 4, 5), total: 5 });
        expect(await dates({ order: 'desc' })).toEqual({ dates: days(5, 4, 3, 2, 1), total: 5 });
      });

      it('pages with limit and offset in both orders, the total counting every run', async () => {
        for (const n of [1, 2, 3, 4, 5]) await store.createRun(runOn(n));
        expect(await dates({ limit: 1 })).toEqual({ dates: days(5), total: 5 });
        expect(await dates({ limit: 1, order: 'asc' })).toEqual({ dates: days(1), total: 5 });
        expect(await dates({ limit: 2, offset: 1 })).toEqual({ dates: days(4, 3), total: 5 });
        expect(await dates({ limit: 2, offset: 3, order: 'asc' })).toEqual({ dates: days(4, 5), total: 5 });
        expect(await dates({ limit: 10, offset: 4 })).toEqual({ dates: days(1), total: 5 });
        expect(await dates({ limit: 5 })).toEqual({ dates: days(5, 4, 3, 2, 1), total: 5 });
        expect(await dates({ offset: 5 })).toEqual({ dates: [], total: 5 });
        expect(await dates({ offset: 99, limit: 1, order: 'asc' })).toEqual({ dates: [], total: 5 });
        expect(await dates({ limit: 0 })).toEqual({ dates: [], total: 5 });
        expect(await dates({ limit: 0, offset: 2 })).toEqual({ dates: [], total: 5 });
        const pages = [];
        for (let offset = 0; offset < 5; offset += 2)
          pages.push(...(await dates({ limit: 2, offset })).dates);
        expect(pages).toEqual(days(5, 4, 3, 2, 1));
      });

      it('filters by state, and the total counts the matching runs only', async () => {
        const states: Record<number, DagRunState> = {
          1: 'success',
          2: 'failed',
          3: 'success',
          4: 'running',
          5: 'queued',
          6: 'success',
        };
        for (const [n, state] of Object.entries(states)) await store.createRun(runOn(Number(n), { state }));
        expect(await dates({ states: ['success'] })).toEqual({ dates: days(6, 3, 1), total: 3 });
        expect(await dates({ states: ['success'], order: 'asc', limit: 1, offset: 1 })).toEqual({
          dates: days(3),
          total: 3,
        });
        expect(await dates({ states: ['success'], limit: 1 })).toEqual({ dates: days(6), total: 3 });
        expect(await dates({ states: ['success'], offset: 2, limit: 5 })).toEqual({
          dates: days(1),
          total: 3,
        });
        expect(await dates({ states: ['queued', 'running'], order: 'asc' })).toEqual({
          dates: days(4, 5),
          total: 2,
        });
        expect(await dates({ states: ['failed'], offset: 1 })).toEqual({ dates: [], total: 1 });
        expect(await dates({ states: ['success', 'success'], limit: 0 })).toEqual({ dates: [], total: 3 });
        // An empty list filters nothing (Airflow's `state=` with no values).
        expect(await dates({ states: [] })).toEqual({ dates: days(6, 5, 4, 3, 2, 1), total: 6 });
        await store.updateRun(DAG, runOn(5).runId, 'queued', { state: 'success' });
        expect(await dates({ states: ['success'], limit: 2 })).toEqual({ dates: days(6, 5), total: 4 });
      });

      it('returns at most 100 runs unless told otherwise', async () => {
        const runs = Array.from({ length: 103 }, (_, n) => runAtMinute(n));
        await inBatches(runs, (run) => store.createRun(run));
        const first = await store.listRuns(DAG);
        expect(first.total).toBe(103);
        expect(first.runs.map((r) => r.runId)).toEqual(
          runs
            .slice(3)
            .reverse()
            .map((r) => r.runId),
        );
        const rest = await store.listRuns(DAG, { offset: 100 });
        expect(rest.runs.map((r) => r.runId)).toEqual([2, 1, 0].map((n) => runAtMinute(n).runId));
        expect((await store.listRuns(DAG, { limit: 103, order: 'asc' })).runs).toEqual(runs);
      });

      it('rejects a negative or fractional limit or offset, and an unknown order', async () => {
        for (const options of [{ limit: -1 }, { offset: -1 }, { limit: 1.5 }, { offset: Number.NaN }]) {
          await expect(store.listRuns(DAG, options)).rejects.toThrow(RangeError);
        }
        const sideways = { order: 'sideways' as 'asc' };
        await expect(store.listRuns(DAG, sideways)).rejects.toThrow(/order must be "asc" or "desc"/);
      });
    });

    describe('deleteRun', () => {
      const seed = async (runId: string, dagId = DAG) => {
        for (const key of [
          ti(runId, 'extract', -1, dagId),
          ti(runId, 'load', 0, dagId),
          ti(runId, 'load', 1, dagId),
        ]) {
          await store.updateTaskInstance(key, NONE, { state: 'success', tryNumber: 1 });
          await xcoms.push(key, 'return_value', { from: runId });
        }
      };

      it('answers false for a run that does not exist, and touches no other run', async () => {
        await store.createRun(runOn(1));
        await seed(runOn(1).runId);
        expect(await store.deleteRun(DAG, 'manual__missing')).toBe(false);
        expect(await store.deleteRun('other_dag', runOn(1).runId)).toBe(false);
        expect(await store.getRun(DAG, runOn(1).runId)).toEqual(runOn(1));
        expect(await store.listTaskInstances(DAG, runOn(1).runId)).toHaveLength(3);
        expect(await xcoms.list(DAG, runOn(1).runId)).toHaveLength(3);
      });

      it('deletes a run with its task instances and XComs, and only those', async () => {
        const [gone, kept, sameDateOtherDag] = [runOn(1), runOn(2), runOn(1, { dagId: 'other_dag' })];
        // A run id extending the deleted one shares a key prefix but not the partition.
        const longer = `${gone.runId}0`;
        for (const run of [gone, kept, sameDateOtherDag]) await store.createRun(run);
        for (const runId of [gone.runId, kept.runId, longer]) await seed(runId);
        await seed(gone.runId, 'other_dag');

        expect(await store.deleteRun(DAG, gone.runId)).toBe(true);
        expect(await store.getRun(DAG, gone.runId)).toBeUndefined();
        expect(await store.listTaskInstances(DAG, gone.runId)).toEqual([]);
        expect(await store.getTaskInstance(ti(gone.runId, 'extract'))).toBeUndefined();
        expect(await xcoms.list(DAG, gone.runId)).toEqual([]);
        expect(await xcoms.pull(ti(gone.runId, 'load', 1), 'return_value')).toBeUndefined();
        expect(await store.listRuns(DAG)).toEqual({ runs: [kept], total: 1 });
        expect(await store.listActiveRuns()).not.toContainEqual(gone);
        expect(await store.previousRun(DAG, day(3))).toEqual(kept);

        for (const runId of [kept.runId, longer]) {
          expect(await store.listTaskInstances(DAG, runId)).toHaveLength(3);
          expect(await xcoms.list(DAG, runId)).toHaveLength(3);
        }
        expect(await store.getRun('other_dag', gone.runId)).toEqual(sameDateOtherDag);
        expect(await store.listTaskInstances('other_dag', gone.runId)).toHaveLength(3);
        expect(await xcoms.pull(ti(gone.runId, 'extract', -1, 'other_dag'), 'return_value')).toEqual({
          from: gone.runId,
        });
        expect(await store.deleteRun(DAG, gone.runId)).toBe(false);
      });

      it('frees the logical date, so a new run may take it, with or without the same id', async () => {
        const run = runOn(1, { state: 'running' });
        await store.createRun(run);
        await seed(run.runId);
        expect(await store.deleteRun(DAG, run.runId)).toBe(true);
        const manual = { ...runOn(1), runId: 'manual__again', runType: 'manual' as const };
        await store.createRun(manual);
        expect(await store.deleteRun(DAG, manual.runId)).toBe(true);
        await store.createRun(runOn(1));
        expect(await store.listTaskInstances(DAG, run.runId)).toEqual([]);
        expect(await xcoms.list(DAG, run.runId)).toEqual([]);
        // The reused id starts from Airflow's None: no instance is left to block a create.
        await store.updateTaskInstance(ti(run.runId, 'extract'), NONE, { state: 'queued', tryNumber: 1 });
        expect(await store.listRuns(DAG)).toEqual({ runs: [runOn(1)], total: 1 });
      });

      it('removes instances and XComs left without their run (a retried delete)', async () => {
        await seed('manual__ghost');
        expect(await store.deleteRun(DAG, 'manual__ghost')).toBe(false);
        expect(await store.listTaskInstances(DAG, 'manual__ghost')).toEqual([]);
        expect(await xcoms.list(DAG, 'manual__ghost')).toEqual([]);
      });

      it('deletes a run with more items than one batch holds', async () => {
        await store.createRun(runOn(1));
        const keys = Array.from({ length: 60 }, (_, i) => ti(runOn(1).runId, 'mapped', i));
        await inBatches(keys, (key) => store.updateTaskInstance(key, NONE, { state: 'success' }));
        await inBatches(keys.slice(0, 30), (key) => xcoms.push(key, 'return_value', key.mapIndex));
        expect(await store.deleteRun(DAG, runOn(1).runId)).toBe(true);
        expect(await store.listTaskInstances(DAG, runOn(1).runId)).toEqual([]);
        expect(await xcoms.list(DAG, runOn(1).runId)).toEqual([]);
      });
    });

    describe('listDagStates', () => {
      it('lists nothing before any DAG is known, and no runs', async () => {
        expect(await store.listDagStates()).toEqual([]);
        await store.createRun(runOn(1));
        expect(await store.listDagStates()).toEqual([]);
      });

      it('lists every DAG state by DAG id after registers, pauses and cursor moves', async () => {
        await store.putDagStateIfAbsent({ dagId: 'b_dag', isPaused: true });
        await store.setDagPaused('c_dag', false);
        await store.advanceDagCursor('a_dag', undefined, interval(1));
        await store.createRun(runOn(1, { dagId: 'a_dag' }));
        expect(await store.listDagStates()).toEqual<DagStateRecord[]>([
          { dagId: 'a_dag', isPaused: false, lastAutomatedDataInterval: interval(1) },
          { dagId: 'b_dag', isPaused: true },
          { dagId: 'c_dag', isPaused: false },
        ]);
        await store.setDagPaused('a_dag', true);
        await store.advanceDagCursor('b_dag', undefined, interval(2));
        await store.advanceDagCursor('a_dag', interval(1), interval(2));
        expect(await store.putDagStateIfAbsent({ dagId: 'c_dag', isPaused: true })).toBe(false);
        expect(await store.listDagStates()).toEqual<DagStateRecord[]>([
          { dagId: 'a_dag', isPaused: true, lastAutomatedDataInterval: interval(2) },
          { dagId: 'b_dag', isPaused: true, lastAutomatedDataInterval: interval(2) },
          { dagId: 'c_dag', isPaused: false },
        ]);
      });

      it('lists hundreds of DAGs', async () => {
        const states = Array.from({ length: 150 }, (_, i) => ({
          dagId: `dag_${String(i).padStart(3, '0')}`,
          isPaused: i % 2 === 0,
        }));
        await inBatches([...states].reverse(), (s) => store.putDagStateIfAbsent(s));
        expect(await store.listDagStates()).toEqual(states);
      });
    });
  });
}
