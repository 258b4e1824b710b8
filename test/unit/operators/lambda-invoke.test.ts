import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaFunctionInvoker } from '../../../functions/adapters/aws/lambda/function-invoker';
import type { JsonValue, OperatorSpec } from '../../../functions/core/model';
import type { TaskContext } from '../../../functions/core/task-context';
import { runLambdaInvoke } from '../../../functions/operators/lambda-invoke-operator';
import { t } from '../core/planner/fixtures';

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

/** A response payload as the mocked client hands it over. */
const encode = (value: unknown) =>
  new TextEncoder().encode(
    typeof value === 'string' ? value : JSON.stringify(value),
  ) as unknown as InvokeCommandOutput['Payload'];

function invocation(payload: JsonValue, invocationType: 'RequestResponse' | 'Event' = 'RequestResponse') {
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warn: () => undefined, error: () => undefined };
  const context = { log, signal: new AbortController().signal } as unknown as TaskContext;
  const operator: OperatorSpec = {
    kind: 'lambda_invoke',
    functionName: 'score-model',
    payload,
    invocationType,
  };
  return { inv: { task: t('score', [], { operator }), context, inputs: [] }, lines };
}

const invoker = () => new LambdaFunctionInvoker(new LambdaClient({ region: 'eu-west-1' }));

describe('lambdaInvoke on the Lambda Invoke API (client mocked)', () => {
  it('sends the rendered payload as JSON and returns the parsed response as the XCom', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: encode({ score: 0.93 }), ExecutedVersion: '7' });
    const { inv, lines } = invocation({ ds: '2024-05-01', rows: [1, 2] });
    expect(await runLambdaInvoke(inv, invoker())).toEqual({ kind: 'done', value: { score: 0.93 } });
    const sent = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ FunctionName: 'score-model', InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(sent.Payload as Uint8Array))).toEqual({
      ds: '2024-05-01',
      rows: [1, 2],
    });
    expect(lines).toContain('score-model version 7 returned 14 bytes');
  });

  it('keeps a non-JSON response as text and an empty one as no XCom', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: encode('plain words') })
      .resolvesOnce({ StatusCode: 200, Payload: encode('null') });
    expect(await runLambdaInvoke(invocation({}).inv, invoker())).toEqual({
      kind: 'done',
      value: 'plain words',
    });
    expect(await runLambdaInvoke(invocation({}).inv, invoker())).toEqual({ kind: 'done', value: undefined });
  });

  it('fails with the function error type and message (retryable, like any task error)', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      ExecutedVersion: '$LATEST',
      Payload: encode({ errorType: 'ValueError', errorMessage: 'model weights missing', stackTrace: ['…'] }),
    });
    await expect(runLambdaInvoke(invocation({}).inv, invoker())).rejects.toMatchObject({
      name: 'Error',
      message: 'score-model version $LATEST failed: ValueError: model weights missing',
    });
  });

  it('queues an Event invocation (202) with no XCom, and refuses any other status', async () => {
    lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 202 }).resolvesOnce({ StatusCode: 200 });
    expect(await runLambdaInvoke(invocation({}, 'Event').inv, invoker())).toEqual({
      kind: 'done',
      value: undefined,
    });
    await expect(runLambdaInvoke(invocation({}, 'Event').inv, invoker())).rejects.toMatchObject({
      name: 'NonRetryableTaskError',
      message: 'score-model: asynchronous invoke answered 200, expected 202',
    });
  });

  it('lets the call error through (throttling, access denied) for the retry policy', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    await expect(runLambdaInvoke(invocation({}).inv, invoker())).rejects.toThrow('Rate exceeded');
  });
});
