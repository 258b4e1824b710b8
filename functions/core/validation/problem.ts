/** One thing wrong with a DAG definition, located precisely enough to fix it. */
export interface Problem {
  /** Source file relative to the DAGs folder, when known. */
  file?: string;
  dagId?: string;
  taskId?: string;
  /** The offending field (`schedule`, `upstream`, `params.limit.default` …). */
  field?: string;
  /** What is wrong, quoting the bad value. */
  message: string;
  /** What to change. */
  fix?: string;
}

/** Renders a problem as one line: `file › dag › task › field: message (fix)`. */
export function formatProblem(problem: Problem): string {
  const where = [
    problem.file,
    problem.dagId && `DAG "${problem.dagId}"`,
    problem.taskId && `task "${problem.taskId}"`,
  ]
    .filter(Boolean)
    .join(' › ');
  const field = problem.field ? `${problem.field}: ` : '';
  const fix = problem.fix ? ` — fix: ${problem.fix}` : '';
  return `${where ? `${where}: ` : ''}${field}${problem.message}${fix}`;
}
