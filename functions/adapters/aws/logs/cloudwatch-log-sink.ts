import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
  type InputLogEvent,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { TaskInstanceKey } from '../../../core/records';
import type { LogChunk, LogReader, LogSink, TaskLog } from '../../../ports/task-log';
import { formatLogLine, type LogLevel, TaskLogClosedError, taskLogPath } from '../../shared/log-format';
import { toLogEventBatches } from './log-event-batches';

/** Options of `CloudWatchLogSink`. */
export interface CloudWatchLogSinkOptions {
  client: CloudWatchLogsClient;
  /** The group is created by the stack; streams (one per attempt) are created here. */
  logGroupName: string;
  /** Least time between two PutLogEvents while the task runs, in milliseconds. Default 3000. */
  flushIntervalMs?: number;
  /** The time stamped on each line (ISO); also the event timestamp. Default: the system clock. */
  clock?: () => string;
}

/** GetLogEvents pages read by one `read` before it returns what it has (the next read continues). */
const MAX_PAGES_PER_READ = 20;
const MAX_CACHED_TOKENS = 1000;

/**
 * Task logs in CloudWatch Logs, one stream per attempt named like the S3 key (`:` and `*`, which
 * stream names forbid, become `_` as in Airflow's handler). Offsets count log events, not bytes:
 * `read` returns the events after the first `offset` ones, so a caller passing back `nextOffset`
 * tails the stream. Forward tokens are cached per offset, so tailing in one process does not re-page.
 */
export class CloudWatchLogSink implements LogSink, LogReader {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: CloudWatchLogSinkOptions) {}

  /** The log stream name of one attempt. */
  streamNameOf(key: TaskInstanceKey, tryNumber: number): string {
    return taskLogPath(key, tryNumber).replace(/[:*]/g, '_');
  }

  async open(key: TaskInstanceKey, tryNumber: number): Promise<TaskLog> {
    return new CloudWatchTaskLog(this.options, this.streamNameOf(key, tryNumber));
  }

  async read(key: TaskInstanceKey, tryNumber: number, options: { offset?: number } = {}): Promise<LogChunk> {
    const offset = options.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) {
      throw new RangeError(`log offset must be a non-negative integer (an event count), got ${offset}`);
    }
    const logStreamName = this.streamNameOf(key, tryNumber);
    let token = this.tokens.get(`${logStreamName}\n${offset}`);
    let skip = token === undefined ? offset : 0;
    let content = '';
    let consumed = offset;
    for (let page = 0; page < MAX_PAGES_PER_READ; page++) {
      let output: GetLogEventsCommandOutput;
      try {
        output = await this.options.client.send(
          new GetLogEventsCommand({
            logGroupName: this.options.logGroupName,
            logStreamName,
            startFromHead: true,
            nextToken: token,
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return { content: '', nextOffset: 0 };
        throw error;
      }
      for (const event of output.events ?? []) {
        if (skip > 0) skip--;
        else {
          content += `${event.message ?? ''}\n`;
          consumed++;
        }
      }
      const next = output.nextForwardToken;
      // The end of the stream is the token coming back unchanged (pages may be empty before it).
      const atEnd = next === undefined || next === token;
      token = next;
      if (atEnd) break;
    }
    if (token !== undefined && skip === 0) this.remember(`${logStreamName}\n${consumed}`, token);
    return { content, nextOffset: consumed };
  }

  private remember(id: string, token: string): void {
    if (this.tokens.size >= MAX_CACHED_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(id, token);
  }
}

/** One attempt's stream: events buffered, sent in PutLogEvents batches, one call at a time. */
class CloudWatchTaskLog implements TaskLog {
  private pending: InputLogEvent[] = [];
  private lastTimestamp = 0;
  private stream: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sends: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly clock: () => string;

  constructor(
    private readonly options: CloudWatchLogSinkOptions,
    private readonly logStreamName: string,
  ) {
    this.clock = options.clock ?? (() => new Date().toISOString());
  }

  write(level: LogLevel, message: string): void {
    const time = this.clock();
    const line = formatLogLine(time, level, message);
    if (this.closed) throw new TaskLogClosedError(this.logStreamName, line);
    // PutLogEvents rejects a batch that goes back in time; a clock step back keeps the previous stamp.
    this.lastTimestamp = Math.max(this.lastTimestamp, Date.parse(time) || Date.now());
    this.pending.push({ timestamp: this.lastTimestamp, message: line });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // A failed tail flush keeps its events pending: the next flush or close() sends them.
      this.sends = this.sends.then(() => this.flush()).catch(() => {});
    }, this.options.flushIntervalMs ?? 3000);
    this.timer.unref?.();
  }

  async close(): Promise<void> {
    if (this.closed) return this.sends;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sends = this.sends.then(() => this.flush());
    return this.sends;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    await this.ensureStream();
    for (const batch of toLogEventBatches(this.pending)) {
      await this.options.client.send(
        new PutLogEventsCommand({
          logGroupName: this.options.logGroupName,
          logStreamName: this.logStreamName,
          logEvents: batch,
        }),
      );
      this.pending = this.pending.slice(batch.length);
    }
  }

  /** Creates the attempt's stream once; a failed creation is forgotten so the next flush retries it. */
  private ensureStream(): Promise<void> {
    this.stream ??= this.createStream().catch((error: unknown) => {
      this.stream = undefined;
      throw error;
    });
    return this.stream;
  }

  private async createStream(): Promise<void> {
    const { logGroupName } = this.options;
    try {
      await this.options.client.send(
        new CreateLogStreamCommand({ logGroupName, logStreamName: this.logStreamName }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
    }
  }
}
