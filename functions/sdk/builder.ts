import { DagDefinitionError, type TaskCallable } from '../core/dag-definition';
import type { InputSpec, MapSpec, OperatorSpec } from '../core/model';
import type { EnvironmentDeclaration } from './environments';
import type { TaskOptions } from './options';

/** A task as recorded while the DAG's define callback runs; serialized later by `toSpec`. */
export interface PendingTask {
  taskId: string;
  group?: string;
  operator: OperatorSpec;
  options: Omit<TaskOptions, 'taskId'>;
  upstream: Set<string>;
  inputs: InputSpec[];
  mapped?: MapSpec;
  callable?: TaskCallable;
}

/** Collects the tasks of one DAG while its define callback runs. */
export class DagBuilder {
  /** Every task in declaration order; a duplicate id is kept so validation can report it. */
  readonly tasks: PendingTask[] = [];
  private readonly groupStack: string[] = [];
  private readonly groupIds = new Set<string>();
  /** Environments the tasks use, by name (one declaration per name). */
  readonly environments = new Map<string, EnvironmentDeclaration>();

  constructor(readonly dagId: string) {}

  /** Prefix of the innermost open group (`outer.inner`), or undefined at top level. */
  get currentGroup(): string | undefined {
    return this.groupStack.at(-1);
  }

  /** Full id of a task declared now: group-prefixed. */
  qualify(taskId: string): string {
    const group = this.currentGroup;
    return group ? `${group}.${taskId}` : taskId;
  }

  /** A free id for a reused task function: `id`, then `id__1`, `id__2` (Airflow's rule). */
  uniqueId(taskId: string): string {
    const base = this.qualify(taskId);
    if (!this.has(base)) return base;
    for (let i = 1; ; i++) if (!this.has(`${base}__${i}`)) return `${base}__${i}`;
  }

  has(taskId: string): boolean {
    return this.tasks.some((t) => t.taskId === taskId);
  }

  find(taskId: string): PendingTask | undefined {
    return this.tasks.find((t) => t.taskId === taskId);
  }

  add(task: PendingTask): PendingTask {
    this.tasks.push(task);
    return task;
  }

  /** Runs `define` with `groupId` open; ids declared inside get its prefix. */
  inGroup<T>(groupId: string, define: () => T): { prefix: string; value: T } {
    const prefix = this.qualify(groupId);
    if (this.groupIds.has(prefix) || this.has(prefix)) {
      throw new DagDefinitionError(`task group id "${prefix}" is used twice`, {
        dagId: this.dagId,
        field: 'group',
        fix: 'give each group a unique id',
      });
    }
    this.groupIds.add(prefix);
    this.groupStack.push(prefix);
    try {
      return { prefix, value: ensureSync(define(), this.dagId, `group("${prefix}")`) };
    } finally {
      this.groupStack.pop();
    }
  }

  /** Records the environment a task runs in; two different declarations may not share a name. */
  useEnvironment(environment: EnvironmentDeclaration, taskId: string): void {
    const known = this.environments.get(environment.name);
    if (known && JSON.stringify(known) !== JSON.stringify(environment))
      throw new DagDefinitionError(
        `environment name "${environment.name}" is declared twice with different settings`,
        {
          dagId: this.dagId,
          taskId,
          field: 'environment',
          fix: 'declare each environment once (e.g. in dags/lib/environments.ts) and import it, or rename one',
        },
      );
    this.environments.set(environment.name, environment);
  }

  /** Task ids inside a group (recursively). */
  membersOf(prefix: string): string[] {
    return this.tasks.filter((t) => t.taskId.startsWith(`${prefix}.`)).map((t) => t.taskId);
  }
}

const stack: DagBuilder[] = [];

/** Runs a DAG's define callback with its builder as the current DAG. */
export function withBuilder<T>(builder: DagBuilder, define: () => T): T {
  stack.push(builder);
  try {
    return ensureSync(define(), builder.dagId, `dag("${builder.dagId}")`);
  } finally {
    stack.pop();
  }
}

/** Rejects an async define callback: tasks declared after its first `await` would land outside the DAG. */
function ensureSync<T>(result: T, dagId: string, what: string): T {
  if (!(result instanceof Promise)) return result;
  // Its own later rejection (a task created after the await) would only be an unhandled rejection.
  result.catch(() => undefined);
  throw new DagDefinitionError(`the ${what} callback must be synchronous, but it returned a promise`, {
    dagId,
    fix: 'remove async/await from the callback: declare tasks directly; their values flow at run time',
  });
}

/** The DAG being defined; tasks and operators attach to it. */
export function currentBuilder(what: string): DagBuilder {
  const builder = stack.at(-1);
  if (!builder) {
    throw new DagDefinitionError(`${what} was created outside a DAG`, {
      fix: 'create tasks inside dag({ ... }, () => { ... })',
    });
  }
  return builder;
}
