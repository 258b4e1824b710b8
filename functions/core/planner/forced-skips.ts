import { allDownstream, type TaskGraph } from '../graph';
import type { DagSpec, TaskSpec } from '../model';
import { TaskState } from '../states';
import type { RunView } from './run-view';

/**
 * Why a not-yet-run task must be skipped because of a branch or short-circuit decision upstream,
 * or undefined. Mirrors Airflow's SkipMixin: a branch skips its direct downstream tasks that are
 * neither chosen nor downstream of a chosen task; a short-circuit skips its direct downstream, or
 * everything downstream when it ignores downstream trigger rules (the default).
 */
export function forcedSkipReason(
  dag: DagSpec,
  graph: TaskGraph,
  view: RunView,
  task: TaskSpec,
): string | undefined {
  for (const upstreamId of graph.upstreamOf(task.taskId)) {
    const upstream = specOf(dag, upstreamId);
    const decided = view.instances(upstreamId).find((i) => i.state === TaskState.Success)?.record;
    if (!decided) continue;
    if (upstream.operator.kind === 'branch' && decided.followTaskIds) {
      const followed = followedSet(dag, graph, decided.followTaskIds);
      if (!followed.has(task.taskId)) {
        const chose =
          decided.followTaskIds.length > 0
            ? decided.followTaskIds.map((id) => `"${id}"`).join(', ')
            : 'nothing';
        return `branch "${upstreamId}" chose ${chose}`;
      }
    }
    if (upstream.operator.kind === 'short_circuit' && decided.shortCircuited) {
      return `short-circuit "${upstreamId}" returned a falsy value`;
    }
  }
  for (const other of dag.tasks) {
    if (other.operator.kind !== 'short_circuit' || !other.operator.ignoreDownstreamTriggerRules) continue;
    const decided = view.instances(other.taskId).find((i) => i.state === TaskState.Success)?.record;
    if (decided?.shortCircuited && allDownstream(graph, other.taskId).has(task.taskId)) {
      return `short-circuit "${other.taskId}" returned a falsy value (skips everything downstream)`;
    }
  }
  return undefined;
}

/** Chosen ids (a group id stands for its tasks) plus everything downstream of them. */
function followedSet(dag: DagSpec, graph: TaskGraph, chosen: readonly string[]): Set<string> {
  const followed = new Set<string>();
  for (const id of chosen) {
    const members = dag.tasks
      .filter((t) => t.taskId === id || t.taskId.startsWith(`${id}.`))
      .map((t) => t.taskId);
    for (const member of members) {
      followed.add(member);
      for (const down of allDownstream(graph, member)) followed.add(down);
    }
  }
  return followed;
}

/** Problem with a branch result (ids that are not direct downstream tasks or their groups), or undefined. */
export function invalidBranchChoice(
  graph: TaskGraph,
  branchId: string,
  chosen: readonly string[],
): string | undefined {
  const direct = new Set(graph.downstreamOf(branchId));
  const bad = chosen.filter((id) => !direct.has(id) && ![...direct].some((d) => d.startsWith(`${id}.`)));
  if (bad.length === 0) return undefined;
  const options = [...direct].map((d) => `"${d}"`).join(', ') || 'none';
  return `branch "${branchId}" returned ${bad.map((b) => `"${b}"`).join(', ')}, which is not a direct downstream task (options: ${options})`;
}

function specOf(dag: DagSpec, taskId: string): TaskSpec {
  return dag.tasks.find((t) => t.taskId === taskId)!;
}
