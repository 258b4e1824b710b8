import type { DagRunRecord, TaskInstanceRecord } from '../../functions/core/records';
import type { RunStore } from '../../functions/ports/run-store';

/** A state change that a write made. */
export type StateChange =
  | { kind: 'run'; run: Pick<DagRunRecord, 'dagId' | 'runId' | 'state' | 'reason'> }
  | { kind: 'task'; instance: TaskInstanceRecord };

/**
 * Wraps a RunStore so every successful run or task-instance state change is reported (local
 * mode prints them). Heartbeats and writes that keep the state are not reported.
 */
export function observeStore(store: RunStore, onChange: (change: StateChange) => void): RunStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'createRun') {
        return async (run: DagRunRecord) => {
          await value.call(target, run);
          onChange({ kind: 'run', run });
        };
      }
      if (property === 'updateRun') {
        return async (...args: Parameters<RunStore['updateRun']>) => {
          const updated: DagRunRecord = await value.apply(target, args);
          if (args[3].state !== undefined && args[3].state !== args[2])
            onChange({ kind: 'run', run: updated });
          return updated;
        };
      }
      if (property === 'updateTaskInstance') {
        return async (...args: Parameters<RunStore['updateTaskInstance']>) => {
          const updated: TaskInstanceRecord = await value.apply(target, args);
          if (args[2].state !== args[1].state) onChange({ kind: 'task', instance: updated });
          return updated;
        };
      }
      return value.bind(target);
    },
  });
}
