import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInvoker, InvocationResult } from '../../../ports/function-invoker';

/** Lambda `Invoke`: the response payload decoded as UTF-8, the function error and version kept. */
export class LambdaFunctionInvoker implements FunctionInvoker {
  constructor(private readonly client: LambdaClient) {}

  async invoke(request: Parameters<FunctionInvoker['invoke']>[0]): Promise<InvocationResult> {
    const output = await this.client.send(
      new InvokeCommand({
        FunctionName: request.functionName,
        InvocationType: request.invocationType,
        Payload: new TextEncoder().encode(request.payload),
      }),
      { abortSignal: request.signal },
    );
    return {
      statusCode: output.StatusCode ?? 0,
      payload: output.Payload ? new TextDecoder().decode(output.Payload) : '',
      ...(output.FunctionError && { functionError: output.FunctionError }),
      ...(output.ExecutedVersion && { executedVersion: output.ExecutedVersion }),
    };
  }
}
