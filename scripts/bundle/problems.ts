import type { Problem } from '../../functions/core/validation/problem';
import { type StackContext, userFrame } from './stack';

/** What DagDefinitionError carries; matched by shape because each bundle has its own copy of the class. */
interface DefinitionDetails {
  dagId?: string;
  taskId?: string;
  field?: string;
  fix?: string;
}

function definitionDetails(error: unknown): DefinitionDetails | undefined {
  if (!(error instanceof Error) || error.name !== 'DagDefinitionError') return undefined;
  const details = (error as { details?: unknown }).details;
  return typeof details === 'object' && details !== null ? (details as DefinitionDetails) : {};
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * A problem from an error thrown by user code (module evaluation or `toSpec`): the author's own message
 * and the place in their file, never our stack. DagDefinitionError details become problem fields.
 */
export function problemFromError(
  error: unknown,
  at: { file: string; dagId?: string },
  ctx?: StackContext,
): Problem {
  const where = ctx && error instanceof Error ? userFrame(error.stack, ctx) : undefined;
  const suffix = where ? ` (at ${where})` : '';
  const details = definitionDetails(error);
  if (details && error instanceof Error) {
    const dagId = details.dagId ?? at.dagId;
    return {
      file: at.file,
      ...(dagId !== undefined && { dagId }),
      ...(details.taskId !== undefined && { taskId: details.taskId }),
      ...(details.field !== undefined && { field: details.field }),
      message: `${oneLine(error.message)}${suffix}`,
      ...(details.fix !== undefined && { fix: details.fix }),
    };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${String(error)}`;
  return {
    file: at.file,
    ...(at.dagId !== undefined && { dagId: at.dagId }),
    message: `${at.dagId === undefined ? 'failed to load' : 'failed to serialize'}: ${oneLine(text)}${suffix}`,
    fix:
      at.dagId === undefined
        ? 'the module must load without throwing; move side effects (env, network, files) into tasks'
        : 'check the DAG options',
  };
}
