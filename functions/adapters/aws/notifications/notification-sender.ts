import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification, NotificationSender } from '../../../ports/notifications';

/** Options of `AwsNotificationSender`. */
export interface AwsNotificationSenderOptions {
  /** Client for SNS notifiers; without one they fail with a reason that says so. */
  sns?: SNSClient;
  /** A webhook that has not answered after this many milliseconds fails. Default 10 000. */
  webhookTimeoutMs?: number;
}

/** SNS subjects are at most 100 printable ASCII characters. */
function snsSubject(subject: string): string {
  const printable = subject.replace(/[^\x20-\x7e]/g, ' ').trim();
  return printable.slice(0, 100);
}

/** SNS `Publish` for SNS notifiers, `fetch` for webhooks (a non-2xx answer is a failure). */
export class AwsNotificationSender implements NotificationSender {
  constructor(private readonly options: AwsNotificationSenderOptions = {}) {}

  async send(notification: Notification): Promise<void> {
    if (notification.kind === 'sns') {
      if (!this.options.sns)
        throw new Error('SNS notifiers need AWS (or the local emulator); none is configured here');
      await this.options.sns.send(
        new PublishCommand({
          TopicArn: notification.topicArn,
          Message: notification.message,
          ...(notification.subject && { Subject: snsSubject(notification.subject) }),
        }),
      );
      return;
    }
    const response = await fetch(notification.url, {
      method: notification.method,
      headers: notification.headers,
      body: notification.body,
      signal: AbortSignal.timeout(this.options.webhookTimeoutMs ?? 10_000),
    });
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).slice(0, 200);
      throw new Error(
        `webhook ${notification.method} ${new URL(notification.url).host} answered ${response.status}${text ? `: ${text}` : ''}`,
      );
    }
  }
}
