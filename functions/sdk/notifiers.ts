import type { NotifierSpec } from '../core/model';

/** A notifier for `onFailure` / `onSuccess` / `onRetry` (Airflow's Notifier classes). */
export type Notifier = NotifierSpec;

/** The default text: what happened, where, and why. A template like every notifier field. */
const DEFAULT_MESSAGE =
  '{% if task %}Task {{ task.task_id }} of DAG {{ dag.dag_id }}{% else %}DAG {{ dag.dag_id }}{% endif %}' +
  ' run {{ run_id }}: {{ event }}{% if reason %} ({{ reason }}){% endif %}';

/** The default webhook body: the event as JSON (`dump` JSON-encodes a value). */
const DEFAULT_BODY =
  '{"event": {{ event | dump }}, "dag_id": {{ dag.dag_id | dump }}, "run_id": {{ run_id | dump }}, ' +
  '"task_id": {% if task %}{{ task.task_id | dump }}{% else %}null{% endif %}, ' +
  '"try_number": {% if task %}{{ ti.try_number }}{% else %}null{% endif %}, "reason": {{ reason | dump }}}';

/**
 * Publishes to an SNS topic (Airflow's `SnsNotifier`). `message` and `subject` are templates;
 * the default message names the DAG, task, run, event and reason.
 */
export function snsNotifier(options: { topicArn: string; message?: string; subject?: string }): Notifier {
  return {
    kind: 'sns',
    topicArn: options.topicArn,
    message: options.message ?? DEFAULT_MESSAGE,
    ...(options.subject !== undefined && { subject: options.subject }),
  };
}

/**
 * Sends an HTTP request (Slack/Teams/PagerDuty incoming webhooks, your own endpoint). `url`,
 * header values and `body` are templates; the default body is the event as JSON.
 */
export function webhookNotifier(options: {
  url: string;
  method?: 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
}): Notifier {
  return {
    kind: 'webhook',
    url: options.url,
    method: options.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body ?? DEFAULT_BODY,
  };
}
