import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { attachRequestCounter, RequestCounter } from '../../functions/adapters/aws/request-counter';
import { S3LogSink } from '../../functions/adapters/aws/s3/log-sink';
import { createTestBucket, fauxqsS3Client } from '../helpers/fauxqs';
import { logKey, logSinkContract, steppingClock } from './log-sink.contract';

logSinkContract('S3LogSink on fauxqs', async ({ flushIntervalMs, clock }) => {
  const client = fauxqsS3Client();
  return new S3LogSink({ client, bucket: await createTestBucket(client), flushIntervalMs, clock });
});

async function fixture(flushIntervalMs = 60_000) {
  const client = fauxqsS3Client({ maxAttempts: 1 });
  const bucket = await createTestBucket(client);
  const counter = new RequestCounter();
  attachRequestCounter(client, counter);
  const sink = new S3LogSink({ client, bucket, flushIntervalMs, clock: steppingClock() });
  const puts = () => counter.count('S3', 'PutObject').calls;
  return { client, bucket, sink, puts };
}

/** Fails the PutObject calls `fail(n)` picks (n is 1-based). */
function failPuts(client: S3Client, fail: (n: number) => boolean): void {
  let n = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand' && fail(++n))
        throw new Error(`injected PutObject failure ${n}`);
      return next(args);
    },
    { step: 'initialize', name: 'failPuts', priority: 'low' },
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('S3LogSink', () => {
  it('costs exactly one PutObject for a short task (the close)', async () => {
    const { sink, puts } = await fixture(3000);
    const log = await sink.open(logKey(), 1);
    for (let i = 0; i < 20; i++) log.write('info', `line ${i}`);
    expect(puts()).toBe(0);
    await log.close();
    expect(puts()).toBe(1);
  });

  it('uploads at most once per flush interval while the task runs', async () => {
    const { sink, puts } = await fixture(100);
    const log = await sink.open(logKey(), 1);
    for (let i = 0; i < 5; i++) {
      log.write('info', `burst ${i}`);
      await sleep(5);
    }
    await sleep(180);
    expect(puts()).toBe(1);
    await log.close();
    expect(puts()).toBe(1); // nothing new since the flush: close has nothing to upload
    const next = await sink.open(logKey(), 2);
    next.write('info', 'flushed');
    await sleep(150);
    next.write('info', 'only in the final upload');
    await next.close();
    expect(puts()).toBe(3);
  });

  it('costs nothing for an attempt that logged nothing', async () => {
    const { sink, puts } = await fixture();
    await (await sink.open(logKey(), 1)).close();
    expect(puts()).toBe(0);
  });

  it('writes Airflow’s key layout, with map_index only for mapped tasks', async () => {
    const { client, bucket, sink } = await fixture();
    expect(sink.keyOf(logKey(), 3)).toBe(
      'logs/dag_id=etl/run_id=manual__2024-05-01T00:00:00+00:00/task_id=load/attempt=3.log',
    );
    const mapped = logKey({ mapIndex: 2 });
    const key =
      'logs/dag_id=etl/run_id=manual__2024-05-01T00:00:00+00:00/task_id=load/map_index=2/attempt=1.log';
    expect(sink.keyOf(mapped, 1)).toBe(key);
    const log = await sink.open(mapped, 1);
    log.write('info', 'mapped');
    await log.close();
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body!.transformToString()).toBe('[2024-05-01T00:00:00.000Z] INFO - mapped\n');
    expect(object.ContentType).toMatch(/^text\/plain/);
  });

  it('counts offsets in UTF-8 bytes', async () => {
    const { sink } = await fixture();
    const log = await sink.open(logKey(), 1);
    log.write('info', 'héllo ✓');
    await log.close();
    const chunk = await sink.read(logKey(), 1);
    expect(chunk.nextOffset).toBe(Buffer.byteLength(chunk.content));
    const line = '[2024-05-01T00:00:00.000Z] INFO - ';
    expect(await sink.read(logKey(), 1, { offset: Buffer.byteLength(line) })).toEqual({
      content: 'héllo ✓\n',
      nextOffset: chunk.nextOffset,
    });
    expect(await sink.read(logKey(), 1, { offset: chunk.nextOffset + 10 })).toEqual({
      content: '',
      nextOffset: chunk.nextOffset + 10,
    });
    await expect(sink.read(logKey(), 1, { offset: -1 })).rejects.toThrow(RangeError);
  });

  it('loses nothing when a tail upload fails: the next upload carries the lines', async () => {
    const { client, sink } = await fixture(20);
    failPuts(client, (n) => n === 1);
    const log = await sink.open(logKey(), 1);
    log.write('info', 'before the failed flush');
    await sleep(60);
    log.write('info', 'after it');
    await log.close();
    expect((await sink.read(logKey(), 1)).content).toBe(
      '[2024-05-01T00:00:00.000Z] INFO - before the failed flush\n[2024-05-01T00:00:01.000Z] INFO - after it\n',
    );
  });

  it('rejects close when the final upload fails (the worker reports it)', async () => {
    const { client, sink } = await fixture();
    failPuts(client, () => true);
    const log = await sink.open(logKey(), 1);
    log.write('info', 'lost?');
    await expect(log.close()).rejects.toThrow('injected PutObject failure 1');
  });

  it('rethrows read errors other than a missing object', async () => {
    const sink = new S3LogSink({
      client: fauxqsS3Client({ maxAttempts: 1 }),
      bucket: 'no-such-bucket-updraft',
    });
    await expect(sink.read(logKey(), 1)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
