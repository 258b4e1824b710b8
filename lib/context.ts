import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import type { UpdraftProps } from './updraft';

/**
 * `cdk.json` context keys (or `-c key=value`) and what they set. Unset keys keep the
 * construct defaults documented on {@link UpdraftProps}.
 */
export const CONTEXT_KEYS = {
  stackName: 'updraft:stackName',
  tickRateMinutes: 'updraft:tickRateMinutes',
  workerMemoryMiB: 'updraft:workerMemoryMiB',
  workerTimeoutMinutes: 'updraft:workerTimeoutMinutes',
  logRetentionDays: 'updraft:logRetentionDays',
  taskLogRetentionDays: 'updraft:taskLogRetentionDays',
  alarmEmail: 'updraft:alarmEmail',
} as const;

function positive(node: Node, key: string): number | undefined {
  const raw: unknown = node.tryGetContext(key);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`context ${key} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** Stack name from context. @default 'Updraft' */
export function stackNameFrom(node: Node): string {
  const name: unknown = node.tryGetContext(CONTEXT_KEYS.stackName);
  return typeof name === 'string' && name ? name : 'Updraft';
}

/** Reads the orchestrator props from context, rejecting malformed values with the key and value. */
export function updraftPropsFrom(node: Node): UpdraftProps {
  const tick = positive(node, CONTEXT_KEYS.tickRateMinutes);
  const timeout = positive(node, CONTEXT_KEYS.workerTimeoutMinutes);
  const retention = positive(node, CONTEXT_KEYS.logRetentionDays);
  if (retention !== undefined && !Object.values(logs.RetentionDays).includes(retention))
    throw new Error(
      `context ${CONTEXT_KEYS.logRetentionDays} must be a CloudWatch retention (1, 3, 5, 7, 14, 30…), got ${retention}`,
    );
  const email: unknown = node.tryGetContext(CONTEXT_KEYS.alarmEmail);
  return {
    ...(tick !== undefined && { tickRate: Duration.minutes(tick) }),
    ...(timeout !== undefined && { workerTimeout: Duration.minutes(timeout) }),
    workerMemorySize: positive(node, CONTEXT_KEYS.workerMemoryMiB),
    ...(retention !== undefined && { logRetention: retention as logs.RetentionDays }),
    taskLogRetentionDays: positive(node, CONTEXT_KEYS.taskLogRetentionDays),
    ...(typeof email === 'string' && email && { alarmEmail: email }),
  };
}
