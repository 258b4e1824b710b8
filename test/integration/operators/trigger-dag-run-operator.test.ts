import { describe, expect, it } from 'vitest';
import type { DagRunState } from '../../../functions/core/states';
import type { DagRunRequest, DagRunTrigger } from '../../../functions/ports/dag-run-trigger';
import { dag, triggerDagRun } from '../../../functions/sdk';
import { runInMemory } from '../../helpers/in-memory-runtime';

/** A trigger port whose runs go through `states` one poll at a time (the last one repeats). */
function scriptedRuns(states: DagRunState[]) {
  const requests: DagRunRequest[] = [];
  let polls = 0;
  const port: DagRunTrigger = {
    trigger: async (request) => {
      requests.push(request);
      return {
        ok: true,
        runId: request.runId ?? 'manual__x',
        logicalDate: request.logicalDate ?? '2024-05-01T00:00:00.000Z',
      };
    },
    runState: async () => states[Math.min(polls++, states.length - 1)],
  };
  return { port, requests, polls: () => polls };
}

describe('trigger_dag_run operator', () => {
  it('passes run id, logical date and conf, and succeeds without waiting', async () => {
    const runs = scriptedRuns(['queued']);
    const r = await runInMemory(
      dag({ dagId: 'p' }, () => {
        triggerDagRun({
          taskId: 't',
          triggerDagId: 'c',
          triggerRunId: 'child_1',
          logicalDate: '2024-01-01T00:00:00Z',
          conf: { a: [1] },
        });
      }),
      { services: { dagRuns: runs.port } },
    );
    expect(r.byId('t')?.state).toBe('success');
    expect(runs.requests).toEqual([
      { dagId: 'c', runId: 'child_1', logicalDate: '2024-01-01T00:00:00Z', conf: { a: [1] } },
    ]);
    expect(runs.polls()).toBe(0);
    expect(await r.xcomOf('t')).toBe('child_1');
  });

  it('keeps polling through non-final states and follows allowedStates / failedStates', async () => {
    const runs = scriptedRuns(['queued', 'running', 'failed']);
    const r = await runInMemory(
      dag({ dagId: 'p' }, () => {
        triggerDagRun({
          taskId: 't',
          triggerDagId: 'c',
          waitForCompletion: true,
          pokeIntervalSeconds: 0.01,
          allowedStates: ['failed'],
          failedStates: [],
        });
      }),
      { services: { dagRuns: runs.port } },
    );
    expect(r.byId('t')?.state).toBe('success');
    expect(runs.polls()).toBe(3);
  });

  it('stops waiting at the execution timeout', async () => {
    const runs = scriptedRuns(['running']);
    const r = await runInMemory(
      dag({ dagId: 'p' }, () => {
        triggerDagRun({
          taskId: 't',
          triggerDagId: 'c',
          waitForCompletion: true,
          pokeIntervalSeconds: 0.02,
          executionTimeout: 0.2,
        });
      }),
      { services: { dagRuns: runs.port } },
    );
    expect(r.byId('t')).toMatchObject({ state: 'failed', reason: 'execution_timeout: exceeded 0.2s' });
    const polled = runs.polls();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs.polls()).toBe(polled);
  });

  it('fails naming the missing service when the runtime has no DAG-run trigger', async () => {
    const r = await runInMemory(
      dag({ dagId: 'p' }, () => void triggerDagRun({ taskId: 't', triggerDagId: 'c' })),
      { services: { missingHint: 'this runtime runs one DAG run' } },
    );
    expect(r.byId('t')?.reason).toBe(
      'task "t" (trigger_dag_run) needs a DAG-run trigger, which is not configured in this runtime: this runtime runs one DAG run',
    );
  });
});
