import { describe, expect, it } from 'vitest';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { createHarness, memoryPorts, publishDags } from '../../helpers/runtime-harness';

const DAGS = 'test/fixtures/dags/operators';

async function setUp() {
  const ports = memoryPorts();
  const harness = createHarness(ports);
  await publishDags(ports.bundles, DAGS);
  const instance = async (dagId: string, runId: string, taskId: string) =>
    (await ports.store.listTaskInstances(dagId, runId)).find((ti) => ti.taskId === taskId);
  const xcom = (dagId: string, runId: string, taskId: string, key = 'return_value') =>
    ports.xcom.pull({ dagId, runId, taskId, mapIndex: -1 }, key);
  /**
   * Triggers `dagId` and runs it to the end. Its first task is delivered on its own (one worker
   * that may block while it waits), while ticks and other deliveries run the triggered runs.
   */
  const runToEnd = async (dagId: string) => {
    const result = await triggerDagRun({ ...ports, clock: harness.clock }, { dagId });
    if (!result.ok) throw new Error(result.message);
    await harness.tick();
    let finished = false;
    const first = harness.deliver(await ports.receive()).finally(() => {
      finished = true;
    });
    for (let round = 0; !finished && round < 200; round++) {
      await harness.tick();
      await harness.drain();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await first;
    await harness.tick();
    await harness.drain();
    return (await ports.store.getRun(dagId, result.run.runId))!;
  };
  return { ports, runToEnd, instance, xcom };
}

describe('trigger_dag_run (memory runtime harness)', () => {
  it('triggers a DAG with conf, waits for it, and pushes the triggered run id', async () => {
    const { ports, runToEnd, instance, xcom } = await setUp();
    const parent = await runToEnd('op_parent');
    expect(parent.state).toBe('success');
    const children = (await ports.store.listRuns('op_child')).runs;
    expect(children).toHaveLength(1);
    const child = children[0]!;
    expect(child).toMatchObject({ state: 'success', runType: 'manual', conf: { n: 21, from: 'op_parent' } });
    expect(await xcom('op_child', child.runId, 'read')).toEqual({ n: 21, from: 'op_parent' });
    expect(await xcom('op_parent', parent.runId, 'start_child')).toBe(child.runId);
    expect(await xcom('op_parent', parent.runId, 'start_child', 'trigger_run_id')).toBe(child.runId);
    expect(await xcom('op_parent', parent.runId, 'start_child', 'trigger_execution_date_iso')).toBe(
      child.logicalDate,
    );
    // The downstream task reads the run id Airflow-style, from XCom `trigger_run_id`.
    expect(await xcom('op_parent', parent.runId, 'after')).toBe(child.runId);
    expect((await instance('op_parent', parent.runId, 'start_child'))?.state).toBe('success');
  });

  it('fails when the triggered run fails, naming that run', async () => {
    const { ports, runToEnd, instance } = await setUp();
    const parent = await runToEnd('op_parent_fail');
    expect(parent.state).toBe('failed');
    const [child] = (await ports.store.listRuns('op_child')).runs;
    expect(child?.state).toBe('failed');
    expect((await instance('op_parent_fail', parent.runId, 'start_child'))?.reason).toBe(
      `triggered DAG "op_child" run "${child!.runId}" ended failed (failedStates)`,
    );
  });

  it('refuses conf the triggered DAG params reject, like the API, without retrying', async () => {
    const { ports, runToEnd, instance } = await setUp();
    const parent = await runToEnd('op_parent_invalid');
    const ti = await instance('op_parent_invalid', parent.runId, 'start_child');
    expect(ti).toMatchObject({ state: 'failed', tryNumber: 1 });
    expect(ti?.reason).toMatch(/^cannot trigger DAG "op_child": params\.n /);
    expect((await ports.store.listRuns('op_child')).total).toBe(0);
  });

  it('refuses a duplicate run id (the API 409) with a fix', async () => {
    const { runToEnd, instance } = await setUp();
    const first = await runToEnd('op_parent_fixed');
    expect(first.state).toBe('success');
    const second = await runToEnd('op_parent_fixed');
    expect((await instance('op_parent_fixed', second.runId, 'start_child'))?.reason).toMatch(
      /^cannot trigger DAG "op_child": DAG "op_child" already has a run "child_fixed" .*give another triggerRunId/,
    );
  });
});
