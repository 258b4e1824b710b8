import { DagDefinitionError } from '../core/dag-definition';
import { RETURN_VALUE_KEY } from '../core/task-context';
import type { DagBuilder } from './builder';

declare const valueType: unique symbol;

/** Brand of task outputs, so a plain `{ taskId, key }` literal argument stays a literal. */
const XCOM_ARG: unique symbol = Symbol.for('updraft.xcomArg') as never;

/** A reference to a value another task will produce (Airflow's XComArg); typed by that value. */
export interface XComArg<T> {
  readonly [valueType]?: T;
  readonly [XCOM_ARG]: true;
  readonly taskId: string;
  readonly key: string;
}

/** Anything that can sit on either side of a dependency. */
export type Dependable = Node | readonly Dependable[];

/** A task or a task group in a DAG being defined. */
export abstract class Node {
  constructor(protected readonly builder: DagBuilder) {}

  /** Task ids that incoming edges attach to. */
  abstract roots(): string[];
  /** Task ids that outgoing edges leave from. */
  abstract leaves(): string[];

  /**
   * Makes `next` run after this (Airflow's `this >> next`) and returns `next` for chaining:
   * `extract.then(transform).then(load)`; `a.then([b, c])` fans out.
   */
  then<N extends Dependable>(next: N, ...rest: unknown[]): N {
    if (typeof next === 'function' || rest.length > 0) {
      // `await task` lands here with resolve/reject functions: tasks are declarations, not promises.
      throw new DagDefinitionError('a task is not a promise: do not await tasks or task groups', {
        dagId: this.builder.dagId,
        fix: 'call task functions without await inside dag(...); their values flow at run time',
      });
    }
    connect(this, next);
    return next;
  }
}

/** Adds edges from every leaf of `from` to every root of `to`. */
export function connect(from: Dependable, to: Dependable): void {
  for (const target of flatten(to)) {
    for (const source of flatten(from)) {
      if (source.builderOf() !== target.builderOf()) {
        throw new DagDefinitionError('cannot connect tasks of different DAGs', {
          dagId: target.builderOf().dagId,
          fix: 'define both tasks inside the same dag(...)',
        });
      }
      for (const root of target.roots()) {
        const task = target.builderOf().find(root)!;
        for (const leaf of source.leaves()) task.upstream.add(leaf);
      }
    }
  }
}

/** Flattens nested arrays of nodes. */
export function flatten(value: Dependable): NodeHandle[] {
  if (Array.isArray(value)) return (value as readonly Dependable[]).flatMap(flatten);
  if (value instanceof Node) return [value as unknown as NodeHandle];
  throw new DagDefinitionError(`not a task or task group: ${String(value)}`, {
    fix: 'pass tasks, groups, or arrays of them',
  });
}

/** Node with its builder exposed to this module. */
interface NodeHandle extends Node {
  builderOf(): DagBuilder;
}

/** A task in a DAG being defined; it is also the XComArg of its return value. */
export class TaskRef<T> extends Node implements XComArg<T> {
  declare readonly [valueType]?: T;
  readonly [XCOM_ARG] = true as const;
  readonly key = RETURN_VALUE_KEY;

  constructor(
    builder: DagBuilder,
    readonly taskId: string,
  ) {
    super(builder);
  }

  builderOf(): DagBuilder {
    return this.builder;
  }
  roots(): string[] {
    return [this.taskId];
  }
  leaves(): string[] {
    return [this.taskId];
  }

  /** Another XCom key this task pushes (Airflow's `task.output["key"]`). */
  xcom<V = unknown>(key: string): XComArg<V> {
    return { [XCOM_ARG]: true, taskId: this.taskId, key };
  }
}

/** A task group (Airflow's TaskGroup): ids inside are prefixed; edges attach to its roots/leaves. */
export class GroupRef<T> extends Node {
  constructor(
    builder: DagBuilder,
    readonly groupId: string,
    /** What the group's define callback returned, e.g. its final task. */
    readonly output: T,
  ) {
    super(builder);
  }

  builderOf(): DagBuilder {
    return this.builder;
  }
  roots(): string[] {
    const members = new Set(this.builder.membersOf(this.groupId));
    return [...members].filter((id) => ![...this.builder.find(id)!.upstream].some((u) => members.has(u)));
  }
  leaves(): string[] {
    const members = new Set(this.builder.membersOf(this.groupId));
    const hasDownstreamInside = new Set(
      [...members].flatMap((id) => [...this.builder.find(id)!.upstream].filter((u) => members.has(u))),
    );
    return [...members].filter((id) => !hasDownstreamInside.has(id));
  }
}

/** True for an XComArg (a task output reference). */
export function isXComArg(value: unknown): value is XComArg<unknown> {
  return (
    typeof value === 'object' && value !== null && (value as Partial<XComArg<unknown>>)[XCOM_ARG] === true
  );
}
