import { type DagSpec, type TaskSpec, UNMAPPED } from '../model';
import type { TaskInstanceRecord } from '../records';
import { TaskState } from '../states';

/** One task instance as the planner sees it: its stored record, if any, and its effective state. */
export interface InstanceView {
  taskId: string;
  mapIndex: number;
  /** Stored state, or the state decided earlier in this planning pass (so decisions cascade). */
  state: TaskState;
  record?: TaskInstanceRecord;
}

/**
 * The task instances of one run during planning. Missing records are Airflow's `None`; a mapped
 * task without map instances yet is one unexpanded instance at index -1.
 */
export class RunView {
  private readonly byTask = new Map<string, InstanceView[]>();

  constructor(
    readonly dag: DagSpec,
    records: readonly TaskInstanceRecord[],
  ) {
    const known = new Set(dag.tasks.map((t) => t.taskId));
    for (const record of records) {
      if (!known.has(record.taskId)) continue; // a task removed from the DAG does not block the run
      const list = this.byTask.get(record.taskId) ?? [];
      list.push({ taskId: record.taskId, mapIndex: record.mapIndex, state: record.state, record });
      this.byTask.set(record.taskId, list);
    }
    for (const task of dag.tasks)
      this.byTask.set(task.taskId, normalize(task, this.byTask.get(task.taskId) ?? []));
  }

  /** The current instances of a task. */
  instances(taskId: string): InstanceView[] {
    return this.byTask.get(taskId) ?? [];
  }

  /** Every instance of every task of the DAG. */
  all(): InstanceView[] {
    return [...this.byTask.values()].flat();
  }

  /** Records a decision so later tasks in this pass see it. */
  setState(taskId: string, mapIndex: number, state: TaskState): void {
    const view = this.instances(taskId).find((i) => i.mapIndex === mapIndex);
    if (view) view.state = state;
  }

  /** Replaces an unexpanded mapped task by `count` fresh instances. */
  expand(taskId: string, count: number): InstanceView[] {
    const views = Array.from({ length: count }, (_, mapIndex) => ({
      taskId,
      mapIndex,
      state: TaskState.None,
    }));
    this.byTask.set(taskId, views);
    return views;
  }
}

function normalize(task: TaskSpec, views: InstanceView[]): InstanceView[] {
  if (!task.mapped) {
    const unmapped = views.find((v) => v.mapIndex === UNMAPPED);
    return [unmapped ?? { taskId: task.taskId, mapIndex: UNMAPPED, state: TaskState.None }];
  }
  const expanded = views.filter((v) => v.mapIndex >= 0).sort((a, b) => a.mapIndex - b.mapIndex);
  if (expanded.length > 0) return expanded;
  const decided = views.find((v) => v.mapIndex === UNMAPPED);
  return [decided ?? { taskId: task.taskId, mapIndex: UNMAPPED, state: TaskState.None }];
}

/**
 * True when a mapped task has not been expanded into map instances yet. A stored -1 record counts
 * too: once cleared back to `none` it must be expanded again, never run as one unmapped instance.
 */
export function isUnexpanded(task: TaskSpec, views: readonly InstanceView[]): boolean {
  return task.mapped !== undefined && views.length === 1 && views[0]!.mapIndex === UNMAPPED;
}
