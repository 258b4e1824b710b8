import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../functions/core/model';
import type { FunctionInvoker } from '../../../functions/ports/function-invoker';
import { dag, lambdaInvoke, task } from '../../../functions/sdk';
import { runInMemory } from '../../helpers/in-memory-runtime';

/** A stand-in for a deployed function: records requests, answers like Lambda. */
function fakeLambda(answer: (payload: unknown) => { payload: string; functionError?: string }) {
  const requests: { functionName: string; payload: unknown }[] = [];
  const invoker: FunctionInvoker = {
    invoke: async (request) => {
      const payload = JSON.parse(request.payload) as unknown;
      requests.push({ functionName: request.functionName, payload });
      return { statusCode: 200, executedVersion: '3', ...answer(payload) };
    },
  };
  return { invoker, requests };
}

describe('lambdaInvoke through the worker path (templated payload, response as XCom)', () => {
  it('renders the payload with the context and upstream XComs and passes the response downstream', async () => {
    const { invoker, requests } = fakeLambda((p) => ({ payload: JSON.stringify({ echoed: p, score: 7 }) }));
    const files = task('files', () => ['a.csv', 'b.csv']);
    const report = task(
      'report',
      (_ctx, result: JsonValue) => `score ${(result as { score: number }).score}`,
    );
    const r = await runInMemory(
      dag({ dagId: 'scoring' }, () => {
        const scored = lambdaInvoke({
          taskId: 'score',
          functionName: 'score-{{ params.model }}',
          payload: { day: '{{ ds }}', first: "{{ ti.xcom_pull(task_ids='files')[0] }}", limit: 10 },
        });
        files().then(scored);
        report(scored);
      }),
      { services: { functions: invoker }, conf: {}, logicalDate: '2024-05-01T00:00:00.000Z' },
    );
    expect(r.result.ok && r.result.run.state).toBe('failed');
    // params.model is not declared: the template error names it and nothing was invoked.
    expect(r.byId('score')?.reason).toContain('undefined variable "params.model"');
    expect(requests).toEqual([]);

    const ok = await runInMemory(
      dag({ dagId: 'scoring', params: { model: 'v2' } }, () => {
        const scored = lambdaInvoke({
          taskId: 'score',
          functionName: 'score-{{ params.model }}',
          payload: { day: '{{ ds }}', first: "{{ ti.xcom_pull(task_ids='files')[0] }}", limit: 10 },
        });
        files().then(scored);
        report(scored);
      }),
      { services: { functions: invoker }, logicalDate: '2024-05-01T00:00:00.000Z' },
    );
    expect(ok.result.ok && ok.result.run.state).toBe('success');
    expect(requests).toEqual([
      { functionName: 'score-v2', payload: { day: '2024-05-01', first: 'a.csv', limit: 10 } },
    ]);
    expect(await ok.xcomOf('report')).toBe('score 7');
    expect(ok.byId('score')?.renderedFields).toMatchObject({
      functionName: 'score-v2',
      'payload.day': '2024-05-01',
    });
  });

  it('fails the task with the function error, and names the missing service where Lambda is absent', async () => {
    const { invoker } = fakeLambda(() => ({
      functionError: 'Unhandled',
      payload: JSON.stringify({ errorType: 'KeyError', errorMessage: "'customer_id'" }),
    }));
    const definition = dag(
      { dagId: 'broken' },
      () => void lambdaInvoke({ taskId: 'call', functionName: 'etl-py' }),
    );
    const r = await runInMemory(definition, { services: { functions: invoker } });
    expect(r.byId('call')).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining("etl-py version 3 failed: KeyError: 'customer_id'"),
    });
    const none = await runInMemory(definition);
    expect(none.byId('call')?.reason).toContain(
      'needs AWS Lambda (to invoke functions), which is not configured in this runtime',
    );
  });
});
