import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DagRunRecord, DagStateRecord, TaskInstanceKey } from '../../functions/core/records';
import type { TaskState } from '../../functions/core/states';
import { RunAlreadyExistsError, StaleTransitionError } from '../../functions/ports/errors';
import type { InstanceExpectation, RunStore, TaskInstancePatch } from '../../functions/ports/run-store';
import type { XComStore } from '../../functions/ports/xcom-store';

/** A store under test, fresh for each test. */
export interface RunStoreUnderTest {
  store: RunStore;
  /** An XCom store on the same state, whose items `deleteRun` must delete with the run. */
  xcoms: XComStore;
  dispose(): Promise<void>;
  /**
   * Leaves what a crash between the two writes of `createRun` leaves: `logicalDate` reserved for
   * `runId`, long ago, without the run. Stores that create runs atomically omit it.
   */
  orphanLogicalDate?(dagId: string, logicalDate: string, runId: string): Promise<void>;
}

const DAG = 'etl';
const day = (n: number) => `2024-01-${String(n).padStart(2, '0')}T00:00:00.000Z`;

/** A run of `dagId` whose logical date is day `n` of January 2024. */
export function runOn(n: number, overrides: Partial<DagRunRecord> = {}): DagRunRecord {
  return {
    dagId: DAG,
    runId: `scheduled__${day(n)}`,
    runType: 'scheduled',
    state: 'queued',
    logicalDate: day(n),
    dataIntervalStart: day(n),
    dataIntervalEnd: day(n + 1),
    runAfter: day(n + 1),
    conf: {},
    bundleVersion: 'bundle-1',
    externalTrigger: false,
    queuedAt: day(n + 1),
    ...overrides,
  };
}

const RUN = runOn(1);
const ti = (taskId: string, mapIndex = -1, runId = RUN.runId): TaskInstanceKey => ({
  dagId: DAG,
  runId,
  taskId,
  mapIndex,
});
const interval = (n: number) => ({ start: day(n), end: day(n + 1) });
const at = (state: TaskState, tryNumber: number): InstanceExpectation => ({ state, tryNumber });
const NONE = at('none', 0);
const byId = (a: { runId: string; dagId: string }, b: { runId: string; dagId: string }) =>
  `${a.dagId}/${a.runId}`.localeCompare(`${b.dagId}/${b.runId}`);

/** Exactly one of concurrent conditional writes wins and the others lose their condition; the winner's result. */
async function oneWins<T>(writes: Promise<T>[]): Promise<T> {
  const results = await Promise.allSettled(writes);
  const won = results.filter((r) => r.status === 'fulfilled');
  expect(won).toHaveLength(1);
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StaleTransitionError);
  return (won[0] as PromiseFulfilledResult<T>).value;
}

/** Defines the RunStore contract suite for one implementation. */
export function describeRunStoreContract(name: string, makeStore: () => Promise<RunStoreUnderTest>): void {
  const rejectsStale = (work: Promise<unknown>) => expect(work).rejects.toBeInstanceOf(StaleTransitionError);

  describe(`RunStore contract: ${name}`, () => {
    let subject: RunStoreUnderTest;
    let store: RunStore;
    const write = (key: TaskInstanceKey, expected: InstanceExpectation, patch: TaskInstancePatch) =>
      store.updateTaskInstance(key, expected, patch);
    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    describe('runs', () => {
      it('stores a run with every field and reads it back', async () => {
        const run = runOn(3, {
          runId: 'manual__custom #1',
          runType: 'manual',
          externalTrigger: true,
          conf: {
            n: 1,
            big: 1e300,
            text: 'ü 🚀',
            '': 'empty key',
            nested: { list: [1, 'two', null, true], e: {} },
          },
          startDate: day(4),
          note: 'a note',
          reason: 'a reason',
        });
        await store.createRun(run);
        expect(await store.getRun(DAG, run.runId)).toEqual(run);
        expect(await store.getRun(DAG, 'unknown')).toBeUndefined();
        expect(await store.getRun('other_dag', run.runId)).toBeUndefined();
      });

      it('rejects a second run with the same id, and that attempt reserves no logical date', async () => {
        await store.createRun(RUN);
        const sameId = { ...RUN, logicalDate: day(9) };
        await expect(store.createRun(sameId)).rejects.toBeInstanceOf(RunAlreadyExistsError);
        expect(await store.getRun(DAG, RUN.runId)).toEqual(RUN);
        await store.createRun(runOn(9));
      });

      it('rejects a second run with the same logical date', async () => {
        await store.createRun(RUN);
        const twin = { ...RUN, runId: 'manual__twin', runType: 'manual' as const };
        await expect(store.createRun(twin)).rejects.toBeInstanceOf(RunAlreadyExistsError);
        expect(await store.getRun(DAG, twin.runId)).toBeUndefined();
        await store.createRun({ ...RUN, dagId: 'other_dag' });
      });

      it('takes over a logical date whose run was never written (crash between two writes)', async () => {
        await subject.orphanLogicalDate?.(DAG, RUN.logicalDate, 'manual__crashed');
        await store.createRun(RUN);
        expect(await store.getRun(DAG, RUN.runId)).toEqual(RUN);
        await expect(store.createRun({ ...RUN, runId: 'manual__late' })).rejects.toBeInstanceOf(
          RunAlreadyExistsError,
        );
      });

      it('completes a retried create of the same run id after a crash', async () => {
        await subject.orphanLogicalDate?.(DAG, RUN.logicalDate, RUN.runId);
        await store.createRun(RUN);
        expect(await store.getRun(DAG, RUN.runId)).toEqual(RUN);
      });

      it('updates a run in the expected state, keeping the fields the patch does not name', async () => {
        const run = { ...RUN, conf: { a: 1 }, note: 'kept' };
        await store.createRun(run);
        const updated = await store.updateRun(DAG, RUN.runId, 'queued', {
          state: 'running',
          startDate: day(2),
        });
        const expected = { ...run, state: 'running', startDate: day(2) };
        expect(updated).toEqual(expected);
        expect(await store.getRun(DAG, RUN.runId)).toEqual(expected);
      });

      it('rejects an update from another state or of a missing run', async () => {
        await store.createRun(RUN);
        await rejectsStale(store.updateRun(DAG, RUN.runId, 'running', { state: 'success' }));
        await rejectsStale(store.updateRun(DAG, 'missing', 'queued', { state: 'running' }));
        expect(await store.getRun(DAG, RUN.runId)).toEqual(RUN);
        expect(await store.getRun(DAG, 'missing')).toBeUndefined();
      });

      it('lets exactly one of two concurrent updates from the same state win', async () => {
        await store.createRun(RUN);
        const won = await oneWins([
          store.updateRun(DAG, RUN.runId, 'queued', { state: 'running' }),
          store.updateRun(DAG, RUN.runId, 'queued', { state: 'failed' }),
        ]);
        expect(await store.getRun(DAG, RUN.runId)).toEqual(won);
      });

      it('does not write undefined fields of a run patch', async () => {
        await store.createRun({ ...RUN, note: 'kept' });
        const updated = await store.updateRun(DAG, RUN.runId, 'queued', {
          state: 'running',
          note: undefined,
        });
        expect(updated.note).toBe('kept');
        expect((await store.getRun(DAG, RUN.runId))?.note).toBe('kept');
      });
    });

    describe('active runs and previous runs', () => {
      it('lists queued and running runs of every DAG, not finished ones', async () => {
        const active = [
          runOn(1),
          runOn(2, { state: 'running', startDate: day(3) }),
          runOn(1, { dagId: 'other_dag' }),
        ];
        const finished = [runOn(3, { state: 'success' }), runOn(4, { state: 'failed' })];
        for (const run of [...active, ...finished]) await store.createRun(run);
        expect((await store.listActiveRuns()).sort(byId)).toEqual(active.sort(byId));
      });

      it('drops a run from the active ones when it finishes and lists it again when it is re-queued', async () => {
        await store.createRun(RUN);
        await store.updateRun(DAG, RUN.runId, 'queued', { state: 'running' });
        expect((await store.listActiveRuns()).map((r) => r.state)).toEqual(['running']);
        await store.updateRun(DAG, RUN.runId, 'running', { state: 'success', endDate: day(3) });
        expect(await store.listActiveRuns()).toEqual([]);
        await store.updateRun(DAG, RUN.runId, 'success', { state: 'queued' });
        expect((await store.listActiveRuns()).map((r) => r.runId)).toEqual([RUN.runId]);
        await store.updateRun(DAG, RUN.runId, 'queued', { note: 'no state change' });
        expect(await store.listActiveRuns()).toHaveLength(1);
      });

      it('finds the run with the latest logical date strictly before a date, finished or not', async () => {
        await store.createRun(runOn(1, { state: 'success' }));
        await store.createRun(runOn(3, { state: 'failed' }));
        await store.createRun(runOn(5));
        await store.createRun(runOn(4, { dagId: 'other_dag' }));
        expect((await store.previousRun(DAG, day(5)))?.logicalDate).toBe(day(3));
        expect((await store.previousRun(DAG, day(4)))?.logicalDate).toBe(day(3));
        expect(await store.previousRun(DAG, day(3))).toEqual(runOn(1, { state: 'success' }));
        expect(await store.previousRun(DAG, day(1))).toBeUndefined();
        expect(await store.previousRun('unknown_dag', day(9))).toBeUndefined();
      });
    });

    describe('task instances', () => {
      it('reads nothing for a run without instances', async () => {
        expect(await store.getTaskInstance(ti('extract'))).toBeUndefined();
        expect(await store.listTaskInstances(DAG, RUN.runId)).toEqual([]);
      });

      it('creates a missing instance from none at try 0', async () => {
        const created = await write(ti('extract'), NONE, {
          state: 'queued',
          tryNumber: 1,
          queuedAt: day(2),
        });
        const expected = { ...ti('extract'), state: 'queued', tryNumber: 1, queuedAt: day(2) };
        expect(created).toEqual(expected);
        expect(await store.getTaskInstance(ti('extract'))).toEqual(expected);
      });

      it('starts a created instance at try 0 when the patch names no try', async () => {
        const created = await write(ti('load', 3), NONE, {
          state: 'none',
          reason: 'expanded',
        });
        expect(created).toEqual({ ...ti('load', 3), state: 'none', tryNumber: 0, reason: 'expanded' });
        const queued = await write(ti('load', 3), NONE, { state: 'queued', tryNumber: 1 });
        expect(queued).toMatchObject({ state: 'queued', tryNumber: 1, reason: 'expanded' });
      });

      it('matches a missing instance only with none at try 0', async () => {
        for (const expected of [at('queued', 1), at('none', 1)]) {
          await rejectsStale(write(ti('extract'), expected, { state: 'running' }));
        }
        expect(await store.getTaskInstance(ti('extract'))).toBeUndefined();
      });

      it('requires the exact state and try number', async () => {
        await write(ti('extract'), NONE, { state: 'queued', tryNumber: 1 });
        for (const expected of [at('queued', 2), at('running', 1), NONE]) {
          await rejectsStale(write(ti('extract'), expected, { state: 'failed' }));
        }
        expect(await store.getTaskInstance(ti('extract'))).toMatchObject({ state: 'queued', tryNumber: 1 });
        const claimed = await write(ti('extract'), at('queued', 1), { state: 'running', startDate: day(2) });
        expect(claimed).toMatchObject({ state: 'running', tryNumber: 1, startDate: day(2) });
      });

      it('pins a sensor poke count when asked (a missing count is 0) and resets the poke state to null', async () => {
        const key = ti('wait');
        const resched = { state: 'up_for_reschedule' as const, tryNumber: 1 };
        await write(key, NONE, { state: 'up_for_reschedule', tryNumber: 1 });
        await rejectsStale(write(key, { ...resched, pokeCount: 1 }, { state: 'running' }));
        await write(key, { ...resched, pokeCount: 0 }, { ...resched, pokeCount: 1, firstPokeAt: day(1) });
        await rejectsStale(write(key, { ...resched, pokeCount: 0 }, { state: 'running' }));
        const claimed = await write(key, { ...resched, pokeCount: 1 }, { state: 'running' });
        expect(claimed).toMatchObject({ state: 'running', pokeCount: 1, firstPokeAt: day(1) });
        const cleared = await write(key, at('running', 1), {
          state: 'none',
          pokeCount: 0,
          firstPokeAt: null,
        });
        expect(cleared).toMatchObject({ pokeCount: 0, firstPokeAt: null });
        expect(await store.getTaskInstance(key)).toEqual(cleared);
      });

      it('lets exactly one of two concurrent claims of a queued attempt win', async () => {
        await write(ti('extract'), NONE, { state: 'queued', tryNumber: 1 });
        const claim = (when: string) =>
          write(ti('extract'), at('queued', 1), { state: 'running', startDate: when, heartbeatAt: when });
        const won = await oneWins([claim(day(2)), claim(day(3))]);
        expect(await store.getTaskInstance(ti('extract'))).toEqual(won);
      });

      it('lets exactly one of two concurrent creates from absent win', async () => {
        const create = (tryNumber: number) => write(ti('extract'), NONE, { state: 'queued', tryNumber });
        const won = await oneWins([create(1), create(2)]);
        expect(await store.getTaskInstance(ti('extract'))).toEqual(won);
      });

      it('merges patches without clobbering fields they do not name', async () => {
        const key = ti('branch');
        await write(key, NONE, {
          state: 'queued',
          tryNumber: 1,
          queuedAt: day(2),
          reason: 'ready',
        });
        await write(key, at('queued', 1), { state: 'running', startDate: day(3), heartbeatAt: day(3) });
        const done = await write(key, at('running', 1), {
          state: 'success',
          endDate: day(4),
          followTaskIds: ['a', 'b'],
          shortCircuited: false,
          xcomLength: null,
        });
        const expected = {
          ...key,
          state: 'success',
          tryNumber: 1,
          queuedAt: day(2),
          reason: 'ready',
          startDate: day(3),
          heartbeatAt: day(3),
          endDate: day(4),
          followTaskIds: ['a', 'b'],
          shortCircuited: false,
          xcomLength: null,
        };
        expect(done).toEqual(expected);
        expect(await store.getTaskInstance(key)).toEqual(expected);
        const cleared = await write(key, at('success', 1), {
          state: 'none',
          xcomLength: 4,
          followTaskIds: [],
        });
        expect(cleared).toEqual({ ...expected, state: 'none', xcomLength: 4, followTaskIds: [] });
      });

      it('does not write undefined fields of a task-instance patch', async () => {
        const key = ti('extract');
        await write(key, NONE, { state: 'queued', reason: 'kept' });
        const updated = await write(key, at('queued', 0), {
          state: 'running',
          reason: undefined,
          endDate: undefined,
        });
        expect(updated.reason).toBe('kept');
        expect(await store.getTaskInstance(key)).toEqual({
          ...key,
          state: 'running',
          tryNumber: 0,
          reason: 'kept',
        });
      });

      it('lists every instance of one run, mapped ones included', async () => {
        const keys = [
          ti('extract'),
          ti('load', 0),
          ti('load', 2),
          ti('load', 10),
          ti('load', 1),
          ti('z_last'),
        ];
        for (const key of keys) await write(key, NONE, { state: 'scheduled' });
        // A run whose id extends this one's must not leak into the listing.
        await write(ti('extract', -1, `${RUN.runId}0`), NONE, { state: 'scheduled' });
        const listed = await store.listTaskInstances(DAG, RUN.runId);
        const order = (k: TaskInstanceKey) => `${k.taskId}#${String(k.mapIndex + 1).padStart(4, '0')}`;
        expect(listed.map(order).sort()).toEqual(keys.map(order).sort());
        expect(
          listed.every((i) => i.state === 'scheduled' && i.tryNumber === 0 && i.runId === RUN.runId),
        ).toBe(true);
      });

      it('refreshes the heartbeat of a running attempt only', async () => {
        const key = ti('extract');
        await write(key, NONE, { state: 'running', tryNumber: 2, startDate: day(2) });
        await store.heartbeat(key, 2, day(3));
        expect(await store.getTaskInstance(key)).toEqual({
          ...key,
          state: 'running',
          tryNumber: 2,
          startDate: day(2),
          heartbeatAt: day(3),
        });
        await rejectsStale(store.heartbeat(key, 1, day(4)));
        await write(key, at('running', 2), { state: 'success' });
        await rejectsStale(store.heartbeat(key, 2, day(5)));
        await rejectsStale(store.heartbeat(ti('missing'), 0, day(5)));
        expect((await store.getTaskInstance(key))?.heartbeatAt).toBe(day(3));
        expect(await store.getTaskInstance(ti('missing'))).toBeUndefined();
      });
    });

    describe('DAG states', () => {
      it('registers a DAG once', async () => {
        const state: DagStateRecord = { dagId: DAG, isPaused: true, lastAutomatedDataInterval: interval(1) };
        expect(await store.putDagStateIfAbsent(state)).toBe(true);
        expect(await store.putDagStateIfAbsent({ dagId: DAG, isPaused: false })).toBe(false);
        expect(await store.getDagStates([DAG])).toEqual(new Map([[DAG, state]]));
      });

      it('reads the states of more than 100 DAGs, leaving out unknown ids', async () => {
        const states: DagStateRecord[] = Array.from({ length: 150 }, (_, i) => ({
          dagId: `dag_${String(i).padStart(3, '0')}`,
          isPaused: i % 3 === 0,
          ...(i % 2 === 0 && { lastAutomatedDataInterval: interval((i % 27) + 1) }),
        }));
        for (let i = 0; i < states.length; i += 25) {
          await Promise.all(states.slice(i, i + 25).map((s) => store.putDagStateIfAbsent(s)));
        }
        const unknown = Array.from({ length: 80 }, (_, i) => `unknown_${i}`);
        const ids = [...unknown.slice(0, 40), ...states.map((s) => s.dagId), ...unknown.slice(40), 'dag_007'];
        const found = await store.getDagStates(ids);
        expect(found).toEqual(new Map(states.map((s) => [s.dagId, s])));
        expect(await store.getDagStates([])).toEqual(new Map());
      });

      it('moves the cursor of a DAG seen for the first time, and of a registered one', async () => {
        await store.advanceDagCursor('new_dag', undefined, interval(1));
        await store.putDagStateIfAbsent({ dagId: DAG, isPaused: true });
        await store.advanceDagCursor(DAG, undefined, interval(2));
        expect(await store.getDagStates(['new_dag', DAG])).toEqual(
          new Map([
            ['new_dag', { dagId: 'new_dag', isPaused: false, lastAutomatedDataInterval: interval(1) }],
            [DAG, { dagId: DAG, isPaused: true, lastAutomatedDataInterval: interval(2) }],
          ]),
        );
      });

      it('moves the cursor only from where it is', async () => {
        await store.advanceDagCursor(DAG, undefined, interval(1));
        await store.advanceDagCursor(DAG, interval(1), interval(2));
        for (const stale of [undefined, interval(1), { start: day(2), end: day(4) }]) {
          await rejectsStale(store.advanceDagCursor(DAG, stale, interval(5)));
        }
        expect((await store.getDagStates([DAG])).get(DAG)?.lastAutomatedDataInterval).toEqual(interval(2));
      });

      it('lets exactly one of two ticks moving the same cursor win', async () => {
        await store.advanceDagCursor(DAG, undefined, interval(1));
        await oneWins([
          store.advanceDagCursor(DAG, interval(1), interval(2)),
          store.advanceDagCursor(DAG, interval(1), interval(3)),
        ]);
      });

      it('pauses a DAG, creating its state if needed, and keeps its cursor', async () => {
        await store.setDagPaused('new_dag', true);
        expect((await store.getDagStates(['new_dag'])).get('new_dag')).toEqual({
          dagId: 'new_dag',
          isPaused: true,
        });
        await store.advanceDagCursor(DAG, undefined, interval(1));
        await store.setDagPaused(DAG, true);
        await store.setDagPaused(DAG, true);
        expect((await store.getDagStates([DAG])).get(DAG)).toEqual({
          dagId: DAG,
          isPaused: true,
          lastAutomatedDataInterval: interval(1),
        });
        await store.setDagPaused(DAG, false);
        expect((await store.getDagStates([DAG])).get(DAG)?.isPaused).toBe(false);
      });
    });
  });
}
