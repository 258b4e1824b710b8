import type { DagSpec, NotifierSpec, TaskSpec } from '../core/model';
import type { Command } from '../core/planner/commands';
import type { DagRunRecord, TaskInstanceKey } from '../core/records';
import { TaskState } from '../core/states';
import { templateContext } from '../core/templating/context';
import type { RenderField } from '../core/templating/templated-fields';
import { resolveParams } from '../core/validation/params';
import type { NotificationSender } from '../ports/notifications';
import type { SecretProvider } from '../ports/secret-provider';
import type { TemplateEngine } from '../ports/template-engine';
import type { XComStore } from '../ports/xcom-store';
import { renderLazily } from './render-task';

/** What firing callbacks needs; without a sender nothing is sent (and nothing fails). */
export interface CallbackDeps {
  templates: TemplateEngine;
  notifications?: NotificationSender;
  /** Where `var.value.<key>` and `conn.<id>` in notifier templates read from (a Slack URL is a secret). */
  secrets?: SecretProvider;
  /** Where `ti.xcom_pull(...)` in task notifier templates reads from. */
  xcom?: Pick<XComStore, 'pull'>;
  /** Told about a notifier that could not be rendered or delivered (callbacks never fail a task). */
  onCallbackError?: (message: string) => void;
}

/** A task event: an attempt ended success, failed for good, or failed with a retry to come. */
export interface TaskEvent {
  dag: DagSpec;
  run: DagRunRecord;
  task: TaskSpec;
  key: TaskInstanceKey;
  tryNumber: number;
  state: TaskState;
  reason?: string;
}

/** The notifiers of a task's end state (Airflow: success, failure, retry callbacks). */
export function taskNotifiers(
  task: TaskSpec,
  state: TaskState,
): { event: string; notifiers: NotifierSpec[] } {
  const callbacks = task.callbacks;
  if (!callbacks) return { event: state, notifiers: [] };
  if (state === TaskState.Success) return { event: 'success', notifiers: callbacks.onSuccess };
  if (state === TaskState.Failed) return { event: 'failure', notifiers: callbacks.onFailure };
  if (state === TaskState.UpForRetry) return { event: 'retry', notifiers: callbacks.onRetry };
  return { event: state, notifiers: [] };
}

/** Fires the task's callbacks for the state its attempt ended in. */
export async function fireTaskCallbacks(deps: CallbackDeps, e: TaskEvent): Promise<void> {
  const { event, notifiers } = taskNotifiers(e.task, e.state);
  if (notifiers.length === 0) return;
  const context = {
    ...templateContext({
      dag: e.dag,
      run: e.run,
      task: e.task,
      key: e.key,
      tryNumber: e.tryNumber,
      params: paramsOf(e.dag, e.run),
    }),
    event,
    state: e.state,
    // A success keeps the reason it was queued with ("retry: attempt 2 of 2"): not news.
    reason: e.state === TaskState.Success ? '' : (e.reason ?? ''),
  };
  await send(deps, notifiers, context, `task ${e.key.taskId} ${event}`, e.key);
}

/** Fires the DAG's callbacks for a run that finished `state`. */
export async function fireRunCallbacks(
  deps: CallbackDeps,
  e: { dag: DagSpec; run: DagRunRecord; state: 'success' | 'failed'; reason?: string },
): Promise<void> {
  const event = e.state === 'success' ? 'success' : 'failure';
  const notifiers = (e.state === 'success' ? e.dag.callbacks?.onSuccess : e.dag.callbacks?.onFailure) ?? [];
  if (notifiers.length === 0) return;
  const context = {
    ...templateContext({ dag: e.dag, run: e.run, params: paramsOf(e.dag, e.run) }),
    event,
    state: e.state,
    reason: e.reason ?? '',
  };
  await send(deps, notifiers, context, `run ${e.run.runId} ${event}`);
}

/** Fires the DAG's `onSlaMiss` notifiers for one task instance (event `sla_miss`). */
export async function fireSlaMissCallbacks(
  deps: CallbackDeps,
  e: { dag: DagSpec; run: DagRunRecord; task: TaskSpec; key: TaskInstanceKey; reason: string },
): Promise<void> {
  const context = {
    ...templateContext({
      dag: e.dag,
      run: e.run,
      task: e.task,
      key: e.key,
      tryNumber: 0,
      params: paramsOf(e.dag, e.run),
    }),
    event: 'sla_miss',
    state: 'sla_miss',
    reason: e.reason,
  };
  await send(deps, e.dag.callbacks?.onSlaMiss ?? [], context, `task ${e.key.taskId} sla_miss`, e.key);
}

function paramsOf(dag: DagSpec, run: DagRunRecord) {
  const resolved = resolveParams(dag.params, run.conf);
  return resolved.ok ? resolved.params : {};
}

/** Renders and sends each notifier; a failure is reported, never thrown. */
async function send(
  deps: CallbackDeps,
  notifiers: readonly NotifierSpec[],
  context: Record<string, unknown>,
  what: string,
  key?: TaskInstanceKey,
): Promise<void> {
  const report = (message: string) => deps.onCallbackError?.(`${what}: ${message}`);
  await Promise.all(
    notifiers.map(async (notifier, i) => {
      let rendered: NotifierSpec;
      try {
        rendered = (await renderLazily(deps, context, key, (render) => renderNotifier(render, notifier)))
          .value;
      } catch (error) {
        report(`${notifier.kind} notifier ${i + 1} could not be rendered: ${(error as Error).message}`);
        return;
      }
      if (!deps.notifications)
        return report(`${notifier.kind} notifier ${i + 1} skipped: no notification sender configured`);
      try {
        await deps.notifications.send(rendered);
      } catch (error) {
        report(`${notifier.kind} notifier ${i + 1} failed: ${(error as Error).message}`);
      }
    }),
  );
}

function renderNotifier(render: RenderField, n: NotifierSpec): NotifierSpec {
  if (n.kind === 'sns')
    return {
      ...n,
      topicArn: render('topicArn', n.topicArn),
      message: render('message', n.message),
      ...(n.subject !== undefined && { subject: render('subject', n.subject) }),
    };
  return {
    ...n,
    url: render('url', n.url),
    headers: Object.fromEntries(Object.entries(n.headers).map(([k, v]) => [k, render(`headers.${k}`, v)])),
    body: render('body', n.body),
  };
}

/**
 * Callbacks of what a planner pass decided and the applier wrote: runs it finished (DAG
 * callbacks) and attempts it ended (zombies, execution timeouts: task callbacks).
 */
export async function fireAppliedCallbacks(
  deps: Partial<CallbackDeps>,
  applied: readonly Command[],
  lookup: (dagId: string, runId: string) => { dag: DagSpec; run: DagRunRecord } | undefined,
): Promise<void> {
  const templates = deps.templates;
  if (!templates) return;
  const callbackDeps: CallbackDeps = { ...deps, templates };
  for (const command of applied) {
    if (command.kind === 'finish_run') {
      const found = lookup(command.dagId, command.runId);
      if (found?.dag.callbacks)
        await fireRunCallbacks(callbackDeps, { ...found, state: command.state, reason: command.reason });
    } else if (command.kind === 'record_sla_miss') {
      const found = lookup(command.key.dagId, command.key.runId);
      const task = found?.dag.tasks.find((t) => t.taskId === command.key.taskId);
      if (found && task && found.dag.callbacks?.onSlaMiss.length)
        await fireSlaMissCallbacks(callbackDeps, {
          ...found,
          task,
          key: command.key,
          reason: command.reason,
        });
    } else if (command.kind === 'fail_task' && command.from === TaskState.Running) {
      const found = lookup(command.key.dagId, command.key.runId);
      const task = found?.dag.tasks.find((t) => t.taskId === command.key.taskId);
      if (found && task?.callbacks)
        await fireTaskCallbacks(callbackDeps, {
          ...found,
          task,
          key: command.key,
          tryNumber: command.tryNumber,
          state: command.outcome === 'failed' ? TaskState.Failed : TaskState.UpForRetry,
          reason: command.reason,
        });
    }
  }
}
