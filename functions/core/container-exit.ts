import type { JsonValue } from './model';
import type { TaskEnvironment } from './records';
import { OutOfMemoryError } from './task-errors';

/** How a container process ended. */
export interface ContainerExit {
  /** Exit code; null when killed by a signal. */
  exitCode: number | null;
  signal?: string;
  /** Killed (or failed) for exceeding its memory limit. */
  outOfMemory: boolean;
  /** Peak memory in MiB, when measured. */
  peakMemoryMiB?: number;
  /** The platform's reason (ECS `stoppedReason`), when it gave one. */
  stoppedReason?: string;
  /** What ran: the image or interpreter, the digest or environment hash. */
  image?: string;
  imageDigest?: string;
  /** How it ran (`process`, `ecs-fargate` …), for the task instance's environment record. */
  runtime: string;
}

/** What an ended container adds to its task instance's environment record. */
export function environmentDetails(exit: ContainerExit): Partial<TaskEnvironment> {
  return {
    runtime: exit.runtime,
    ...(exit.image !== undefined && { image: exit.image }),
    ...(exit.imageDigest !== undefined && { imageDigest: exit.imageDigest }),
    ...(exit.peakMemoryMiB !== undefined && { peakMemoryMiB: exit.peakMemoryMiB }),
  };
}

/**
 * The XCom of a container that ended (its last stdout line, parsed as JSON when it is JSON, as
 * Airflow's DockerOperator pushes it), or the error that ends its attempt: `OutOfMemoryError`
 * for a kill for memory, otherwise the exit code and the platform's stopped reason.
 */
export function containerValue(
  taskId: string,
  memoryMiB: number,
  exit: ContainerExit,
  lastLine: string,
): JsonValue | undefined {
  const why = exit.stoppedReason ? `: ${exit.stoppedReason}` : '';
  if (exit.outOfMemory)
    throw new OutOfMemoryError(
      memoryMiB,
      `container killed for exceeding its memory (exit ${exit.exitCode ?? exit.signal ?? 'unknown'})`,
      exit.peakMemoryMiB,
    );
  if (exit.exitCode === 0) return lastLine === '' ? undefined : parseLine(lastLine);
  if (exit.exitCode === null)
    throw new Error(
      `container of task "${taskId}" ended without an exit code${exit.signal ? ` (${exit.signal})` : ''}${why}`,
    );
  throw new Error(`container of task "${taskId}" exited with code ${exit.exitCode}${why}`);
}

function parseLine(line: string): JsonValue {
  try {
    return JSON.parse(line) as JsonValue;
  } catch {
    return line;
  }
}
