import type { TaskSpec } from '../model';
import { TaskState } from '../states';
import type { RunView } from './run-view';

/** How many map instances a mapped task gets, or why it cannot be expanded. */
export type Expansion = { kind: 'expand'; count: number; reason: string } | { kind: 'fail'; reason: string };

/**
 * Airflow's dynamic task mapping: the length of a literal list, or of the upstream's returned
 * list (recorded as `xcomLength` when it finished), or the number of instances of a mapped
 * upstream. Zero elements skip the task; more than `maxMapLength` fail it.
 */
export function expansionFor(task: TaskSpec, view: RunView, maxMapLength: number): Expansion {
  const over = task.mapped!.over;
  let count: number;
  let source: string;
  if (over.kind === 'literal') {
    if (!Array.isArray(over.value)) return { kind: 'fail', reason: `expand: literal input is not a list` };
    count = over.value.length;
    source = 'a literal list';
  } else {
    const upstream = view.instances(over.taskId);
    const successes = upstream.filter((i) => i.state === TaskState.Success);
    if (upstream.length > 1 || (upstream[0] && upstream[0].mapIndex >= 0)) {
      count = successes.length;
      source = `the ${count} results of mapped task "${over.taskId}"`;
    } else {
      const length = successes[0]?.record?.xcomLength;
      if (length === undefined || length === null) {
        return {
          kind: 'fail',
          reason: `expand: "${over.taskId}" did not return a list (mapping needs a list, got a non-list XCom)`,
        };
      }
      count = length;
      source = `the list returned by "${over.taskId}"`;
    }
  }
  if (count > maxMapLength) {
    return {
      kind: 'fail',
      reason: `expand: ${count} elements in ${source} exceed the limit of ${maxMapLength} (max_map_length)`,
    };
  }
  const reason =
    count === 0
      ? `expand: ${source} is empty, so the mapped task is skipped`
      : `expand: ${count} instances over ${source}`;
  return { kind: 'expand', count, reason };
}
