import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsNotificationSender } from '../../../functions/adapters/aws/notifications/notification-sender';
import { bash, dag, NonRetryableTaskError, snsNotifier, task, webhookNotifier } from '../../../functions/sdk';
import { fauxqsSnsClient, fauxqsSqsClient, uniqueName } from '../../helpers/fauxqs';
import { runInMemory } from '../../helpers/in-memory-runtime';

/** A local webhook receiver: records each request; answers 500 for paths under /broken. */
const received: { path: string; method: string; headers: IncomingHttpHeaders; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    received.push({ path: req.url ?? '', method: req.method ?? '', headers: req.headers, body });
    res
      .writeHead(req.url?.startsWith('/broken') ? 500 : 204)
      .end(req.url?.startsWith('/broken') ? 'down' : '');
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** An SNS topic on fauxqs with an SQS queue subscribed, to read what was published. */
async function topicWithQueue() {
  const sns = fauxqsSnsClient();
  const sqs = fauxqsSqsClient();
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName('alerts') }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('alerts-inbox') }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes!.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const messages = async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return Messages.map((m) => m.Body!);
  };
  return { sns, topicArn: TopicArn!, messages };
}

describe('task callbacks with the built-in notifiers', () => {
  it('publishes onSuccess to SNS and posts onRetry/onFailure webhooks with the event as JSON', async () => {
    const { sns, topicArn, messages } = await topicWithQueue();
    received.length = 0;
    let attempts = 0;
    const flaky = task(
      {
        taskId: 'flaky',
        retries: 1,
        retryDelay: 0,
        onRetry: webhookNotifier({ url: `${base}/hooks/{{ dag.dag_id }}/retry` }),
        onFailure: webhookNotifier({ url: `${base}/hooks/failure` }),
      },
      () => {
        attempts++;
        if (attempts === 1) throw new Error('warehouse timeout');
        return 'ok';
      },
    );
    const fatal = task(
      { taskId: 'fatal', onFailure: webhookNotifier({ url: `${base}/hooks/failure` }) },
      () => {
        throw new NonRetryableTaskError('bad input file');
      },
    );
    const r = await runInMemory(
      dag(
        {
          dagId: 'alerting',
          defaultArgs: {
            onSuccess: snsNotifier({ topicArn, subject: 'Updraft: {{ task.task_id }} {{ event }}' }),
          },
        },
        () => {
          flaky();
          fatal();
        },
      ),
      { notifications: new AwsNotificationSender({ sns }) },
    );
    expect(r.callbackErrors).toEqual([]);
    expect(r.byId('flaky')?.state).toBe('success');
    expect(r.byId('fatal')?.state).toBe('failed');

    const byPath = Object.fromEntries(received.map((q) => [q.path, q]));
    expect(Object.keys(byPath).sort()).toEqual(['/hooks/alerting/retry', '/hooks/failure']);
    expect(byPath['/hooks/alerting/retry']?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(byPath['/hooks/alerting/retry']!.body)).toMatchObject({
      event: 'retry',
      dag_id: 'alerting',
      task_id: 'flaky',
      try_number: 1,
      reason: expect.stringContaining('warehouse timeout'),
    });
    expect(JSON.parse(byPath['/hooks/failure']!.body)).toMatchObject({
      event: 'failure',
      task_id: 'fatal',
      reason: expect.stringContaining('bad input file'),
    });
    // defaultArgs give every task the SNS notifier; only `flaky` succeeded.
    const published = await messages();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatch(/^Task flaky of DAG alerting run manual__\S+: success$/);
  });

  it('never fails the task because a notifier failed; the failure is reported with its reason', async () => {
    const r = await runInMemory(
      dag({ dagId: 'noisy' }, () => {
        bash({
          taskId: 'ok',
          command: 'echo fine',
          onSuccess: [
            webhookNotifier({ url: `${base}/broken` }),
            webhookNotifier({ url: `${base}/fine/{{ params.missing }}` }),
            snsNotifier({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' }),
          ],
        });
      }),
      { notifications: new AwsNotificationSender() },
    );
    expect(r.byId('ok')?.state).toBe('success');
    expect(r.callbackErrors.sort()).toEqual(
      [
        'task ok success: sns notifier 3 failed: SNS notifiers need AWS (or the local emulator); none is configured here',
        'task ok success: webhook notifier 1 failed: webhook POST 127.0.0.1:' +
          base.split(':').at(-1) +
          ' answered 500: down',
        'task ok success: webhook notifier 2 could not be rendered: template error in field "url": undefined variable "params.missing" (line 1, column 29)',
      ].sort(),
    );
  });
});
