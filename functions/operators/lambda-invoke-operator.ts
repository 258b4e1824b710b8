import type { JsonValue } from '../core/model';
import { NonRetryableTaskError } from '../core/task-errors';
import type { FunctionInvoker } from '../ports/function-invoker';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';

/** A Lambda error payload: `{"errorType": "ValueError", "errorMessage": "…", "stackTrace": […]}`. */
interface LambdaErrorPayload {
  errorType?: string;
  errorMessage?: string;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

/**
 * Invokes an existing function (Airflow's LambdaInvokeFunctionOperator) with the rendered JSON
 * payload. RequestResponse: the function's response is the XCom (parsed when JSON, else text);
 * a function error fails the task with its type and message (retried per `retries`: a function
 * may fail transiently). Event: queued asynchronously, no XCom.
 */
export async function runLambdaInvoke(
  inv: OperatorInvocation,
  invoker: FunctionInvoker,
): Promise<OperatorResult> {
  const spec = inv.task.operator;
  if (spec.kind !== 'lambda_invoke') throw new Error('runLambdaInvoke called for a non-lambda_invoke task');
  const { context: ctx } = inv;
  ctx.log.info(`invoking ${spec.functionName} (${spec.invocationType})`);
  const result = await invoker.invoke({
    functionName: spec.functionName,
    payload: JSON.stringify(spec.payload),
    invocationType: spec.invocationType,
    signal: ctx.signal,
  });
  const version = result.executedVersion ? ` version ${result.executedVersion}` : '';
  if (result.functionError) {
    const error = (parseJson(result.payload) ?? {}) as LambdaErrorPayload;
    const type = error.errorType ?? result.functionError;
    const message = error.errorMessage ?? result.payload.slice(0, 300);
    throw new Error(`${spec.functionName}${version} failed: ${type}: ${message}`);
  }
  if (spec.invocationType === 'Event') {
    if (result.statusCode !== 202)
      throw new NonRetryableTaskError(
        `${spec.functionName}: asynchronous invoke answered ${result.statusCode}, expected 202`,
      );
    ctx.log.info(`${spec.functionName} queued the event`);
    return { kind: 'done', value: undefined };
  }
  ctx.log.info(`${spec.functionName}${version} returned ${result.payload.length} bytes`);
  if (result.payload === '' || result.payload === 'null') return { kind: 'done', value: undefined };
  return { kind: 'done', value: parseJson(result.payload) ?? result.payload };
}
