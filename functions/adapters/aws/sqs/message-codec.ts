import { z } from 'zod';
import { type TaskMessage, UndecodableMessageError } from '../../../ports/task-queue';

/**
 * The SQS body of a task message: `{"v":1,"dagId":…,"runId":…,"taskId":…,"mapIndex":…,"tryNumber":…}`.
 * `v` lets a future writer change the shape; unknown extra keys are ignored so an older worker can
 * still run a message a newer scheduler wrote with optional additions.
 */
export const MESSAGE_FORMAT_VERSION = 1;

const messageSchema = z.object({
  v: z.literal(MESSAGE_FORMAT_VERSION),
  dagId: z.string().min(1),
  runId: z.string().min(1),
  taskId: z.string().min(1),
  mapIndex: z.number().int().min(-1),
  tryNumber: z.number().int().min(1),
  /** Informational (the queue it arrived on already encodes the memory class). */
  memoryMiB: z.number().int().positive().optional(),
});

/** The SQS message body for `message`. */
export function encodeTaskMessage(message: TaskMessage): string {
  const { dagId, runId, taskId, mapIndex, tryNumber, memoryMiB } = message;
  return JSON.stringify({ v: MESSAGE_FORMAT_VERSION, dagId, runId, taskId, mapIndex, tryNumber, memoryMiB });
}

/** Parses a body written by `encodeTaskMessage`; throws `UndecodableMessageError` with what it could read. */
export function decodeTaskMessage(body: string): TaskMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new UndecodableMessageError(`task message is not JSON: ${preview(body)}`, undefined, {
      cause: error,
    });
  }
  const result = messageSchema.safeParse(json);
  if (result.success) {
    const { dagId, runId, taskId, mapIndex, tryNumber, memoryMiB } = result.data;
    return { dagId, runId, taskId, mapIndex, tryNumber, ...(memoryMiB !== undefined && { memoryMiB }) };
  }
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UndecodableMessageError(
    `invalid task message (${issues.join('; ')}): ${preview(body)}`,
    recoverKey(json),
    { cause: result.error },
  );
}

/** The key fields of a broken body that are valid on their own, so the worker can fail the task it names. */
function recoverKey(json: unknown): Partial<TaskMessage> | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const record = json as Record<string, unknown>;
  const key: Record<string, unknown> = {};
  for (const field of ['dagId', 'runId', 'taskId', 'mapIndex', 'tryNumber'] as const) {
    const result = messageSchema.shape[field].safeParse(record[field]);
    if (result.success) key[field] = result.data;
  }
  return Object.keys(key).length > 0 ? (key as Partial<TaskMessage>) : undefined;
}

function preview(body: string): string {
  return JSON.stringify(body.length > 200 ? `${body.slice(0, 200)}…` : body);
}
