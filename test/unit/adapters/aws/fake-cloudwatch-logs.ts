import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';

/** One stored event. */
export interface StoredEvent {
  timestamp: number;
  message: string;
}

/**
 * A small CloudWatch Logs on aws-sdk-client-mock: streams must be created before use, batches must be
 * chronological, and GetLogEvents pages `pageSize` events with forward tokens that come back
 * unchanged at the end of the stream (as the service does).
 */
export function fakeCloudWatchLogs(client: CloudWatchLogsClient, options: { pageSize?: number } = {}) {
  const pageSize = options.pageSize ?? 2;
  const streams = new Map<string, StoredEvent[]>();
  const id = (group?: string, stream?: string) => `${group}\n${stream}`;
  const stream = (group?: string, name?: string) => {
    const events = streams.get(id(group, name));
    if (!events)
      throw new ResourceNotFoundException({
        message: 'The specified log stream does not exist.',
        $metadata: {},
      });
    return events;
  };
  const mock = mockClient(client);
  mock
    .on(CreateLogStreamCommand)
    .callsFake(async (input: { logGroupName?: string; logStreamName?: string }) => {
      if (streams.has(id(input.logGroupName, input.logStreamName))) {
        throw new ResourceAlreadyExistsException({
          message: 'The specified log stream already exists',
          $metadata: {},
        });
      }
      if (/[:*]/.test(input.logStreamName ?? '')) {
        throw new InvalidParameterException({
          message: 'log stream names cannot contain ":" or "*"',
          $metadata: {},
        });
      }
      streams.set(id(input.logGroupName, input.logStreamName), []);
      return {};
    });
  mock.on(PutLogEventsCommand).callsFake(async (input) => {
    const events = stream(input.logGroupName, input.logStreamName);
    const batch = (input.logEvents ?? []) as StoredEvent[];
    batch.forEach((event, i) => {
      if (i > 0 && event.timestamp < batch[i - 1]!.timestamp) {
        throw new InvalidParameterException({
          message: 'Log events in a single PutLogEvents request must be in chronological order.',
          $metadata: {},
        });
      }
    });
    events.push(...batch.map(({ timestamp, message }) => ({ timestamp, message })));
    return { nextSequenceToken: 'ignored' };
  });
  mock.on(GetLogEventsCommand).callsFake(async (input) => {
    const events = stream(input.logGroupName, input.logStreamName);
    if (!input.startFromHead) throw new Error('the fake only pages from the head');
    const start = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
    const page = events.slice(start, start + pageSize);
    const nextForwardToken = `f/${start + page.length}`;
    return {
      events: page.map((e) => ({ ...e, ingestionTime: e.timestamp })),
      nextForwardToken,
      nextBackwardToken: `b/${start}`,
    };
  });
  return { mock, streams };
}
