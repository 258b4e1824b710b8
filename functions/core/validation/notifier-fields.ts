import type { NotifierSpec } from '../model';
import { templated } from './operator-fields';

/** A template may compute any value; only literal fields can be checked before a run. */
const isTemplate = (text: string) => templated(text) || text.includes('{%');

const SNS_TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;

/** Problems of the notifiers under `field` (`onFailure`, `callbacks.onSuccess` …). */
export function checkNotifiers(
  field: string,
  notifiers: readonly NotifierSpec[],
): { field: string; message: string; fix?: string }[] {
  const problems: { field: string; message: string; fix?: string }[] = [];
  notifiers.forEach((notifier, i) => {
    const at = `${field}[${i}]`;
    if (notifier.kind === 'sns' && !isTemplate(notifier.topicArn) && !SNS_TOPIC_ARN.test(notifier.topicArn))
      problems.push({
        field: `${at}.topicArn`,
        message: `not an SNS topic ARN: ${JSON.stringify(notifier.topicArn)}`,
        fix: 'use arn:aws:sns:<region>:<account>:<topic>',
      });
    if (notifier.kind === 'webhook' && !isTemplate(notifier.url) && !/^https?:\/\/[^\s/]+/.test(notifier.url))
      problems.push({
        field: `${at}.url`,
        message: `not an http(s) URL: ${JSON.stringify(notifier.url)}`,
        fix: 'use an absolute http:// or https:// URL',
      });
  });
  return problems;
}
