import { EnvSecretProvider } from '../../functions/adapters/local/env-secret-provider';
import { type CapturedLine, MemoryLogSink } from '../../functions/adapters/memory/log-sink';
import { MemoryRunStore } from '../../functions/adapters/memory/run-store';
import { MemoryXComStore } from '../../functions/adapters/memory/xcom-store';
import { NunjucksTemplateEngine } from '../../functions/adapters/shared/nunjucks-engine';
import { type DagTestResult, runDagTest } from '../../functions/app/run-dag-test';
import type { JsonValue } from '../../functions/core/model';
import type { TaskInstanceRecord } from '../../functions/core/records';
import { createOperatorRunner, type OperatorServices } from '../../functions/operators/registry';
import type { NotificationSender } from '../../functions/ports/notifications';
import type { Dag } from '../../functions/sdk';
import { NonRetryableTaskError } from '../../functions/sdk';
import { TestClock } from '../../scripts/dags-test/runtime';

/** Runs a DAG object (no bundling) through the real planner, applier, worker path and operators. */
export async function runInMemory(
  dag: Dag,
  options: {
    logicalDate?: string;
    conf?: Record<string, JsonValue>;
    env?: NodeJS.ProcessEnv;
    services?: OperatorServices;
    /** Sends the callbacks' notifiers; failures are collected in `callbackErrors`. */
    notifications?: NotificationSender;
  } = {},
) {
  const callbackErrors: string[] = [];
  const spec = dag.toSpec({ fileloc: 'test.dag.ts', module: 'code/test.dag.mjs' });
  const lines: CapturedLine[] = [];
  const logs = new MemoryLogSink((line) => lines.push(line));
  const xcom = new MemoryXComStore();
  const clock = new TestClock();
  const deps = {
    store: new MemoryRunStore(),
    xcom,
    logs,
    ...(options.notifications && { notifications: options.notifications }),
    onCallbackError: (message: string) => callbackErrors.push(message),
    clock,
    runOperator: createOperatorRunner(options.services),
    templates: new NunjucksTemplateEngine(),
    secrets: new EnvSecretProvider(options.env ?? {}),
    code: {
      load: async (_v: string, _d: unknown, taskId: string) => {
        const fn = dag.taskCallable(taskId);
        if (!fn) throw new NonRetryableTaskError(`no function for ${taskId}`);
        return fn;
      },
    },
  };
  const result: DagTestResult = await runDagTest(deps, {
    dag: spec,
    bundleVersion: 'test',
    logicalDate: options.logicalDate ?? '2024-05-01T00:00:00.000Z',
    ...(options.conf && { conf: options.conf }),
  });
  const byId = (taskId: string, mapIndex = -1): TaskInstanceRecord | undefined =>
    result.ok ? result.instances.find((ti) => ti.taskId === taskId && ti.mapIndex === mapIndex) : undefined;
  const xcomOf = (taskId: string, mapIndex = -1) =>
    result.ok
      ? xcom.pull({ dagId: spec.dagId, runId: result.run.runId, taskId, mapIndex }, 'return_value')
      : undefined;
  const logOf = (taskId: string) =>
    lines
      .filter((l) => l.key.taskId === taskId)
      .map((l) => l.message)
      .join('\n');
  return { result, spec, byId, xcomOf, logOf, clock, callbackErrors };
}
