/** A task graph over string ids, built from each task's direct upstream ids. */
export interface TaskGraph {
  /** Task ids in declaration order. */
  readonly ids: readonly string[];
  upstreamOf(taskId: string): readonly string[];
  downstreamOf(taskId: string): readonly string[];
}

/** Builds a graph from `{ taskId, upstream }` records; unknown upstream ids are kept out (validation reports them). */
export function buildGraph(tasks: readonly { taskId: string; upstream: readonly string[] }[]): TaskGraph {
  const ids = tasks.map((t) => t.taskId);
  const known = new Set(ids);
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const task of tasks) {
    const upstream = [...new Set(task.upstream)].filter((id) => known.has(id));
    up.set(task.taskId, upstream);
    for (const u of upstream) down.get(u)?.push(task.taskId);
  }
  return {
    ids,
    upstreamOf: (id) => up.get(id) ?? [],
    downstreamOf: (id) => down.get(id) ?? [],
  };
}

/** Tasks with no upstream. */
export function roots(graph: TaskGraph): string[] {
  return graph.ids.filter((id) => graph.upstreamOf(id).length === 0);
}

/** Tasks with no downstream; a run's state is decided by these (Airflow's leaves). */
export function leaves(graph: TaskGraph): string[] {
  return graph.ids.filter((id) => graph.downstreamOf(id).length === 0);
}

/** Every task reachable downstream of `taskId` (not including it). */
export function allDownstream(graph: TaskGraph, taskId: string): Set<string> {
  return reach(taskId, graph.downstreamOf);
}

/** Every task reachable upstream of `taskId` (not including it). */
export function allUpstream(graph: TaskGraph, taskId: string): Set<string> {
  return reach(taskId, graph.upstreamOf);
}

function reach(start: string, next: (id: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...next(start)];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...next(id));
  }
  return seen;
}

/**
 * One cycle as a path that starts and ends at the same task (`a → b → a`), or undefined.
 * Iterative DFS so deep DAGs cannot overflow the stack.
 */
export function findCycle(graph: TaskGraph): string[] | undefined {
  const color = new Map<string, 'grey' | 'black'>();
  for (const start of graph.ids) {
    if (color.has(start)) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    color.set(start, 'grey');
    path.push(start);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const children = graph.downstreamOf(frame.id);
      if (frame.next >= children.length) {
        color.set(frame.id, 'black');
        stack.pop();
        path.pop();
        continue;
      }
      const child = children[frame.next++]!;
      const state = color.get(child);
      if (state === 'grey') return [...path.slice(path.indexOf(child)), child];
      if (state === undefined) {
        color.set(child, 'grey');
        path.push(child);
        stack.push({ id: child, next: 0 });
      }
    }
  }
  return undefined;
}

/** Kahn's topological order, stable in declaration order; throws on a cycle (validate first). */
export function topologicalOrder(graph: TaskGraph): string[] {
  const indegree = new Map(graph.ids.map((id) => [id, graph.upstreamOf(id).length]));
  const ready = graph.ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const child of graph.downstreamOf(id)) {
      const left = indegree.get(child)! - 1;
      indegree.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (order.length !== graph.ids.length) {
    throw new Error(`cycle in task graph: ${findCycle(graph)?.join(' → ') ?? 'unknown'}`);
  }
  return order;
}
