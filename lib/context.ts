import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { memoryClasses } from './task-queue';
import type { UpdraftProps } from './updraft';

/**
 * `cdk.json` context keys (or `-c key=value`) and what they set. Unset keys keep the
 * construct defaults documented on {@link UpdraftProps}, except `dagsPath` (see below).
 */
export const CONTEXT_KEYS = {
  stackName: 'updraft:stackName',
  tickRateMinutes: 'updraft:tickRateMinutes',
  workerMemoryClasses: 'updraft:workerMemoryClasses',
  workerTimeoutMinutes: 'updraft:workerTimeoutMinutes',
  logRetentionDays: 'updraft:logRetentionDays',
  taskLogRetentionDays: 'updraft:taskLogRetentionDays',
  alarmEmail: 'updraft:alarmEmail',
  metricsNamespace: 'updraft:metricsNamespace',
  failedRunsThreshold: 'updraft:failedRunsThreshold',
  containerTasks: 'updraft:containerTasks',
  vpc: 'updraft:vpc',
  dagsPath: 'updraft:dagsPath',
} as const;

/** Context keys that no longer exist, and what replaced them. */
const REPLACED_KEYS: Record<string, string> = {
  'updraft:workerMemoryMiB': `${CONTEXT_KEYS.workerMemoryClasses} (comma-separated MiB, e.g. "1024,4096,10240")`,
};

/** The app's DAG folder when `updraft:dagsPath` is unset: `cdk deploy` ships `dags/`. */
export const DEFAULT_CONTEXT_DAGS_PATH = 'dags';

/** Values of `updraft:vpc`. */
export const VPC_MODES = ['none', 'create'] as const;

function raw(node: Node, key: string): unknown {
  const value: unknown = node.tryGetContext(key);
  return value === '' ? undefined : value;
}

function positive(node: Node, key: string): number | undefined {
  const value = raw(node, key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`context ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function text(node: Node, key: string): string | undefined {
  const value = raw(node, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new Error(`context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function boolean(node: Node, key: string): boolean | undefined {
  const value = raw(node, key);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

/** `"1024,4096"` (from `-c`) or `[1024, 4096]` (from cdk.json), validated and ascending. */
function classes(node: Node, key: string): number[] | undefined {
  const value = raw(node, key);
  if (value === undefined) return undefined;
  const parts = Array.isArray(value) ? value : typeof value === 'number' ? [value] : String(value).split(',');
  const numbers = parts.map((part) =>
    typeof part === 'string' && part.trim() === '' ? Number.NaN : Number(part),
  );
  try {
    return memoryClasses(`context ${key}`, numbers);
  } catch (error) {
    throw new Error(`${(error as Error).message} (from ${JSON.stringify(value)})`);
  }
}

/** Stack name from context. @default 'Updraft' */
export function stackNameFrom(node: Node): string {
  const name: unknown = node.tryGetContext(CONTEXT_KEYS.stackName);
  return typeof name === 'string' && name ? name : 'Updraft';
}

/**
 * Reads the orchestrator props from context, rejecting malformed values with the key and value.
 * `updraft:dagsPath` defaults to `dags` (the app deploys this repository's DAGs); `none` disables.
 */
export function updraftPropsFrom(node: Node): UpdraftProps {
  for (const [old, replacement] of Object.entries(REPLACED_KEYS))
    if (node.tryGetContext(old) !== undefined)
      throw new Error(`context ${old} is no longer read; use ${replacement}`);
  const tick = positive(node, CONTEXT_KEYS.tickRateMinutes);
  const timeout = positive(node, CONTEXT_KEYS.workerTimeoutMinutes);
  const retention = positive(node, CONTEXT_KEYS.logRetentionDays);
  if (retention !== undefined && !Object.values(logs.RetentionDays).includes(retention))
    throw new Error(
      `context ${CONTEXT_KEYS.logRetentionDays} must be a CloudWatch retention (1, 3, 5, 7, 14, 30…), got ${retention}`,
    );
  const email = text(node, CONTEXT_KEYS.alarmEmail);
  const vpc = text(node, CONTEXT_KEYS.vpc) ?? 'none';
  if (!(VPC_MODES as readonly string[]).includes(vpc))
    throw new Error(
      `context ${CONTEXT_KEYS.vpc} must be ${VPC_MODES.join(' or ')}, got ${JSON.stringify(vpc)}`,
    );
  const dags = text(node, CONTEXT_KEYS.dagsPath) ?? DEFAULT_CONTEXT_DAGS_PATH;
  return {
    ...(tick !== undefined && { tickRate: Duration.minutes(tick) }),
    ...(timeout !== undefined && { workerTimeout: Duration.minutes(timeout) }),
    workerMemoryClasses: classes(node, CONTEXT_KEYS.workerMemoryClasses),
    ...(retention !== undefined && { logRetention: retention as logs.RetentionDays }),
    taskLogRetentionDays: positive(node, CONTEXT_KEYS.taskLogRetentionDays),
    ...(email && { alarmEmail: email }),
    metricsNamespace: text(node, CONTEXT_KEYS.metricsNamespace),
    failedRunsThreshold: positive(node, CONTEXT_KEYS.failedRunsThreshold),
    containerTasks: boolean(node, CONTEXT_KEYS.containerTasks),
    ...(vpc === 'create' && { createVpc: true }),
    ...(dags !== 'none' && { dagsPath: dags }),
  };
}
