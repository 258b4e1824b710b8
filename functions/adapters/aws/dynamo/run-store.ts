import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PoolRecord } from '../../../core/pools';
import {
  type DagRunRecord,
  type DagStateRecord,
  formatKey,
  type TaskInstanceKey,
  type TaskInstanceRecord,
} from '../../../core/records';
import { type DagRunState, isRunFinished, TaskState } from '../../../core/states';
import type { DataInterval } from '../../../core/timetables/types';
import { StaleTransitionError } from '../../../ports/errors';
import type { PoolWriteMode } from '../../../ports/pool-store';
import type { InstanceExpectation, RunStore, TaskInstancePatch } from '../../../ports/run-store';
import { type DynamoTableOptions, type TableContext, tableContext } from './client';
import { createRun, getRun } from './create-run';
import {
  advanceDagCursor,
  getDagStates,
  listDagStates,
  putDagStateIfAbsent,
  setDagPaused,
} from './dag-states';
import { deleteRun } from './delete-run';
import { call, describeFound } from './errors';
import { UpdateBuilder } from './expressions';
import { instanceAttributes, instanceFromItem, runAttributes, runFromItem } from './items';
import { listRuns } from './list-runs';
import { deletePool, getPool, listPools, putPool } from './pools';
import { listActiveRuns, listTaskInstances, previousRun } from './queries';
import { Attr, activeRunIndex, ItemType, runKey, taskInstanceKey } from './table';

/** Options of DynamoRunStore. */
export interface DynamoRunStoreOptions extends DynamoTableOptions {
  /** Age (ms) after which a logical-date marker without its run may be taken over; default 60 000. */
  orphanGraceMs?: number;
  /** Wall clock in epoch ms, for marker ages; default Date.now. */
  now?: () => number;
}

/**
 * RunStore on the single DynamoDB table of `table.ts` (design §5): single-item conditional
 * writes only, no transactions and no Scan; reads that decide are strongly consistent.
 */
export class DynamoRunStore implements RunStore {
  private readonly ctx: TableContext;
  private readonly orphanGraceMs: number;
  private readonly now: () => number;

  constructor(options: DynamoRunStoreOptions) {
    this.ctx = tableContext(options);
    this.orphanGraceMs = options.orphanGraceMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async createRun(run: DagRunRecord): Promise<void> {
    await createRun(this.ctx, run, { orphanGraceMs: this.orphanGraceMs, now: this.now });
  }

  async getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    return getRun(this.ctx, dagId, runId);
  }

  async updateRun(
    dagId: string,
    runId: string,
    expected: DagRunState,
    patch: Partial<DagRunRecord>,
  ): Promise<DagRunRecord> {
    const { dagId: patchDag, runId: patchRun, logicalDate, ...fields } = patch;
    if ((patchDag ?? dagId) !== dagId || (patchRun ?? runId) !== runId) {
      throw new RangeError(`a patch of run ${dagId}/${runId} cannot change its DAG or run id`);
    }
    const key = runKey(dagId, runId);
    const update = new UpdateBuilder().set('type', ItemType.DagRun).setAll(runAttributes(fields));
    if (fields.state !== undefined && isRunFinished(fields.state))
      update.remove(Attr.GSI1PK).remove(Attr.GSI1SK);
    else if (fields.state !== undefined) update.setAll(activeRunIndex(dagId, runId));
    update.condition(
      (c) => `attribute_exists(${c.name(Attr.PK)}) AND ${c.name('state')} = ${c.value(expected)}`,
    );
    // The logical date is the run's identity (its marker and index key): it may be re-asserted, not changed.
    if (logicalDate !== undefined)
      update.condition((c) => `${c.name('logicalDate')} = ${c.value(logicalDate)}`);
    const result = await call(
      { operation: 'UpdateItem', tableName: this.ctx.tableName, key },
      () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tableName,
            Key: key,
            ...update.build(),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      (error) => {
        const found = describeFound(error) ?? 'missing or in another state';
        const date = logicalDate === undefined ? '' : ` at ${logicalDate}`;
        throw new StaleTransitionError(`run ${dagId}/${runId} is ${found}, expected ${expected}${date}`, {
          dagId,
          runId,
          expected,
          found,
        });
      },
    );
    return runFromItem(result.Attributes ?? {});
  }

  async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
    return listTaskInstances(this.ctx, dagId, runId);
  }

  async getTaskInstance(key: TaskInstanceKey): Promise<TaskInstanceRecord | undefined> {
    const itemKey = taskInstanceKey(key);
    const { Item } = await call({ operation: 'GetItem', tableName: this.ctx.tableName, key: itemKey }, () =>
      this.ctx.doc.send(
        new GetCommand({ TableName: this.ctx.tableName, Key: itemKey, ConsistentRead: true }),
      ),
    );
    return Item && instanceFromItem(Item);
  }

  async updateTaskInstance(
    key: TaskInstanceKey,
    expected: InstanceExpectation,
    patch: TaskInstancePatch,
  ): Promise<TaskInstanceRecord> {
    const itemKey = taskInstanceKey(key);
    const update = new UpdateBuilder()
      .set('type', ItemType.TaskInstance)
      .setAll({ dagId: key.dagId, runId: key.runId, taskId: key.taskId, mapIndex: key.mapIndex })
      .setAll(instanceAttributes(patch));
    if (patch.tryNumber === undefined) update.setIfAbsent('tryNumber', 0);
    update.condition((c) => {
      const pokes = expected.pokeCount;
      const pokeMatch =
        pokes === undefined
          ? ''
          : pokes === 0
            ? ` AND (attribute_not_exists(${c.name('pokeCount')}) OR ${c.name('pokeCount')} = ${c.value(0)})`
            : ` AND ${c.name('pokeCount')} = ${c.value(pokes)}`;
      const match = `${c.name('state')} = ${c.value(expected.state)} AND ${c.name('tryNumber')} = ${c.value(expected.tryNumber)}${pokeMatch}`;
      // A missing task instance is Airflow's None: `none` at try 0 also matches "absent".
      const absent = expected.state === TaskState.None && expected.tryNumber === 0;
      return absent ? `attribute_not_exists(${c.name(Attr.PK)}) OR (${match})` : match;
    });
    const result = await call(
      { operation: 'UpdateItem', tableName: this.ctx.tableName, key: itemKey },
      () =>
        this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tableName,
            Key: itemKey,
            ...update.build(),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      (error) => {
        throw staleInstance(key, expected, error);
      },
    );
    return instanceFromItem(result.Attributes ?? {});
  }

  async heartbeat(key: TaskInstanceKey, tryNumber: number, at: string): Promise<void> {
    const itemKey = taskInstanceKey(key);
    const expected = { state: TaskState.Running, tryNumber };
    const update = new UpdateBuilder()
      .set('heartbeatAt', at)
      .condition(
        (c) =>
          `${c.name('state')} = ${c.value(expected.state)} AND ${c.name('tryNumber')} = ${c.value(tryNumber)}`,
      );
    await call(
      { operation: 'UpdateItem', tableName: this.ctx.tableName, key: itemKey },
      async () => {
        await this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tableName,
            Key: itemKey,
            ...update.build(),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
      },
      (error) => {
        throw staleInstance(key, expected, error);
      },
    );
  }

  async listActiveRuns(): Promise<DagRunRecord[]> {
    return listActiveRuns(this.ctx);
  }

  async previousRun(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined> {
    return previousRun(this.ctx, dagId, logicalDate);
  }

  async getDagStates(dagIds: readonly string[]): Promise<Map<string, DagStateRecord>> {
    return getDagStates(this.ctx, dagIds);
  }

  async putDagStateIfAbsent(state: DagStateRecord): Promise<boolean> {
    return putDagStateIfAbsent(this.ctx, state);
  }

  async advanceDagCursor(
    dagId: string,
    expected: DataInterval | undefined,
    next: DataInterval,
  ): Promise<void> {
    await advanceDagCursor(this.ctx, dagId, expected, next);
  }

  async setDagPaused(dagId: string, isPaused: boolean): Promise<void> {
    await setDagPaused(this.ctx, dagId, isPaused);
  }

  async listRuns(
    dagId: string,
    options?: Parameters<RunStore['listRuns']>[1],
  ): Promise<{ runs: DagRunRecord[]; total: number }> {
    return listRuns(this.ctx, dagId, options);
  }

  async deleteRun(dagId: string, runId: string): Promise<boolean> {
    return deleteRun(this.ctx, dagId, runId);
  }

  async listDagStates(): Promise<DagStateRecord[]> {
    return listDagStates(this.ctx);
  }

  async getPool(name: string): Promise<PoolRecord | undefined> {
    return getPool(this.ctx, name);
  }

  async listPools(): Promise<PoolRecord[]> {
    return listPools(this.ctx);
  }

  async putPool(pool: PoolRecord, mode: PoolWriteMode): Promise<PoolRecord> {
    return putPool(this.ctx, pool, mode);
  }

  async deletePool(name: string): Promise<boolean> {
    return deletePool(this.ctx, name);
  }
}

function staleInstance(
  key: TaskInstanceKey,
  expected: InstanceExpectation,
  error: unknown,
): StaleTransitionError {
  const id = formatKey(key);
  const found = describeFound(error) ?? 'absent or in another state';
  return new StaleTransitionError(
    `task instance ${id} is ${found}, expected ${expected.state} (try ${expected.tryNumber}${pokesText(expected)})`,
    { key: id, expected, found },
  );
}

function pokesText(expected: InstanceExpectation): string {
  return expected.pokeCount === undefined ? '' : `, ${expected.pokeCount} pokes`;
}
