import type { TaskInstanceKey } from '../core/records';

/** One task attempt to run: the instance and the try number the worker must claim. */
export interface TaskMessage extends TaskInstanceKey {
  tryNumber: number;
  /**
   * Memory the attempt needs: the queue routes the message to the smallest worker memory class
   * that has it. Absent (older messages, tests): the smallest class.
   */
  memoryMiB?: number;
}

/** The task queue between planners and workers (SQS in AWS). */
export interface TaskQueue {
  /**
   * Sends messages (in batches the adapter chooses). `delaySeconds` ≤ 900 postpones delivery
   * (longer waits are the tick's job). Resolves only when every message was accepted.
   */
  send(messages: readonly TaskMessage[], options?: { delaySeconds?: number }): Promise<void>;
}

/** A queue message that cannot be decoded; the worker fails the task it names, if it can tell. */
export class UndecodableMessageError extends Error {
  override readonly name = 'UndecodableMessageError';
  constructor(
    message: string,
    /** The task instance the message was about, when recoverable from the body. */
    readonly key?: Partial<TaskMessage>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
