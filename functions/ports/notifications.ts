import type { NotifierSpec } from '../core/model';

/** A notifier with its templates rendered: what is actually sent. */
export type Notification = NotifierSpec;

/** Sends notifications (SNS publish, webhook request). Rejects with a reason when one is not delivered. */
export interface NotificationSender {
  send(notification: Notification): Promise<void>;
}
