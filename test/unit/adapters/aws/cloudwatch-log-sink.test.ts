import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  ServiceUnavailableException,
} from '@aws-sdk/client-cloudwatch-logs';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it } from 'vitest';
import { CloudWatchLogSink } from '../../../../functions/adapters/aws/logs/cloudwatch-log-sink';
import { logKey, logSinkContract, steppingClock } from '../../../contract/log-sink.contract';
import { fakeCloudWatchLogs } from './fake-cloudwatch-logs';

const logGroupName = '/updraft/tasks';

function fixture(options: { pageSize?: number; flushIntervalMs?: number; clock?: () => string } = {}) {
  const client = new CloudWatchLogsClient({ region: 'us-east-1' });
  const fake = fakeCloudWatchLogs(client, options);
  const sink = new CloudWatchLogSink({
    client,
    logGroupName,
    flushIntervalMs: options.flushIntervalMs ?? 60_000,
    clock: options.clock ?? steppingClock(),
  });
  return { client, sink, ...fake };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const streamName = 'dag_id=etl/run_id=manual__2024-05-01T00_00_00+00_00/task_id=load/attempt=1.log';

logSinkContract('CloudWatchLogSink on a fake CloudWatch Logs', async ({ flushIntervalMs, clock }) => {
  return fixture({ flushIntervalMs, clock }).sink;
});

describe('CloudWatchLogSink', () => {
  it('names the stream like the S3 key, with ":" and "*" made "_" (Airflow’s handler does the same)', () => {
    const { sink } = fixture();
    expect(sink.streamNameOf(logKey(), 1)).toBe(streamName);
    expect(sink.streamNameOf(logKey({ taskId: 'a*b', mapIndex: 3 }), 2)).toBe(
      'dag_id=etl/run_id=manual__2024-05-01T00_00_00+00_00/task_id=a_b/map_index=3/attempt=2.log',
    );
  });

  it('creates the stream once and batches the buffered lines into one PutLogEvents per flush', async () => {
    const { sink, mock, streams } = fixture({ flushIntervalMs: 20 });
    const log = await sink.open(logKey(), 1);
    log.write('info', 'a');
    log.write('info', 'b');
    await sleep(60);
    log.write('info', 'c');
    await log.close();
    expect(mock).toHaveReceivedCommandTimes(CreateLogStreamCommand, 1);
    expect(mock).toHaveReceivedCommandTimes(PutLogEventsCommand, 2);
    expect(mock).toHaveReceivedNthCommandWith(PutLogEventsCommand, 1, {
      logGroupName,
      logStreamName: streamName,
      logEvents: [
        { timestamp: Date.parse('2024-05-01T00:00:00.000Z'), message: '[2024-05-01T00:00:00.000Z] INFO - a' },
        { timestamp: Date.parse('2024-05-01T00:00:01.000Z'), message: '[2024-05-01T00:00:01.000Z] INFO - b' },
      ],
    });
    expect(streams.get(`${logGroupName}\n${streamName}`)).toHaveLength(3);
  });

  it('accepts a stream that already exists (a redelivered attempt)', async () => {
    const { sink } = fixture();
    for (const line of ['first delivery', 'second delivery']) {
      const log = await sink.open(logKey(), 1);
      log.write('info', line);
      await log.close();
    }
    expect((await sink.read(logKey(), 1)).content).toMatch(/first delivery\n.*second delivery\n$/);
  });

  it('retries stream creation after a failed tail flush, and loses no line', async () => {
    const { sink, mock } = fixture({ flushIntervalMs: 10 });
    mock
      .on(CreateLogStreamCommand)
      .rejectsOnce(new ServiceUnavailableException({ message: 'down', $metadata: {} }))
      .resolves({}); // the retry succeeds
    mock.on(PutLogEventsCommand).resolves({});
    const log = await sink.open(logKey(), 1);
    log.write('info', 'kept');
    await sleep(40);
    await log.close();
    expect(mock).toHaveReceivedCommandTimes(CreateLogStreamCommand, 2);
    expect(mock).toHaveReceivedCommandWith(PutLogEventsCommand, {
      logEvents: [
        {
          timestamp: Date.parse('2024-05-01T00:00:00.000Z'),
          message: '[2024-05-01T00:00:00.000Z] INFO - kept',
        },
      ],
    });
  });

  it('rejects close when the final PutLogEvents fails', async () => {
    const { sink, mock } = fixture();
    mock.on(PutLogEventsCommand).rejects(new ServiceUnavailableException({ message: 'down', $metadata: {} }));
    const log = await sink.open(logKey(), 1);
    log.write('error', 'x');
    await expect(log.close()).rejects.toThrow('down');
  });

  it('keeps timestamps non-decreasing when the clock steps back', async () => {
    const times = ['2024-05-01T00:00:05.000Z', '2024-05-01T00:00:01.000Z', 'not a time'];
    const { sink, streams } = fixture({ clock: () => times.shift() ?? '2024-05-01T00:00:09.000Z' });
    const log = await sink.open(logKey(), 1);
    for (const m of ['a', 'b', 'c']) log.write('info', m);
    await log.close();
    const stamps = streams.get(`${logGroupName}\n${streamName}`)!.map((e) => e.timestamp);
    expect(stamps[1]).toBe(stamps[0]);
    expect(stamps[2]).toBeGreaterThanOrEqual(stamps[1]!);
  });

  it('sends more than 10,000 lines in several batches', async () => {
    const { sink, mock, streams } = fixture();
    const log = await sink.open(logKey(), 1);
    for (let i = 0; i < 10_001; i++) log.write('info', `${i}`);
    await log.close();
    expect(mock).toHaveReceivedCommandTimes(PutLogEventsCommand, 2);
    expect(streams.get(`${logGroupName}\n${streamName}`)).toHaveLength(10_001);
  });

  it('reads by event offsets across pages, continuing from a cached token', async () => {
    const { sink, mock, client } = fixture({ pageSize: 2 });
    const log = await sink.open(logKey(), 1);
    for (const m of ['1', '2', '3', '4', '5']) log.write('info', m);
    await log.close();
    const all = await sink.read(logKey(), 1);
    expect(
      all.content
        .trimEnd()
        .split('\n')
        .map((l) => l.at(-1)),
    ).toEqual(['1', '2', '3', '4', '5']);
    expect(all.nextOffset).toBe(5);
    mock.resetHistory();
    expect(await sink.read(logKey(), 1, { offset: 5 })).toEqual({ content: '', nextOffset: 5 });
    expect(mock).toHaveReceivedCommandTimes(GetLogEventsCommand, 1); // from the cached token
    const fresh = new CloudWatchLogSink({ client, logGroupName }); // another process: pages from the head
    const tail = await fresh.read(logKey(), 1, { offset: 3 });
    expect(
      tail.content
        .trimEnd()
        .split('\n')
        .map((l) => l.at(-1)),
    ).toEqual(['4', '5']);
    expect(tail.nextOffset).toBe(5);
  });

  it('returns what it read after a bounded number of pages; the next read continues', async () => {
    const { sink } = fixture({ pageSize: 1 });
    const log = await sink.open(logKey(), 1);
    for (let i = 0; i < 25; i++) log.write('info', `${i}`);
    await log.close();
    const first = await sink.read(logKey(), 1);
    expect(first.nextOffset).toBe(20);
    const rest = await sink.read(logKey(), 1, { offset: first.nextOffset });
    expect(rest.nextOffset).toBe(25);
    expect(rest.content.split('\n')).toHaveLength(6);
  });

  it('rejects negative offsets and rethrows unexpected read errors', async () => {
    const { sink, mock } = fixture();
    await expect(sink.read(logKey(), 1, { offset: -1 })).rejects.toThrow(RangeError);
    mock.on(GetLogEventsCommand).rejects(new ServiceUnavailableException({ message: 'down', $metadata: {} }));
    await expect(sink.read(logKey(), 1)).rejects.toThrow('down');
  });
});
