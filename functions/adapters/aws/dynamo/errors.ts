import type { ItemKey } from './table';

/**
 * A DynamoDB call failed for a reason other than a lost condition (throttling after the SDK's
 * retries, a missing table, a network error). Port callers see this instead of SDK error types;
 * `retryable` says whether the same call may succeed later, and `cause` keeps the SDK error.
 */
export class DynamoStoreError extends Error {
  override readonly name = 'DynamoStoreError';
  constructor(
    message: string,
    readonly operation: string,
    readonly tableName: string,
    readonly key: ItemKey | undefined,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  code?: unknown;
  Item?: Record<string, { S?: string; N?: string } | undefined>;
}

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** True for the SDK's ConditionalCheckFailedException (matched by name: SDK copies may differ). */
export function isConditionFailed(error: unknown): boolean {
  return shape(error).name === 'ConditionalCheckFailedException';
}

/**
 * What a failed condition found, from the item DynamoDB returns with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`: `running (try 2)`. Undefined when the item
 * is missing or the server returned none (dynalite never does).
 */
export function describeFound(error: unknown): string | undefined {
  const state = shape(error).Item?.state?.S;
  const tryNumber = shape(error).Item?.tryNumber?.N;
  if (state === undefined) return undefined;
  return tryNumber === undefined ? state : `${state} (try ${tryNumber})`;
}

/** Where a call went, for error messages. */
export interface CallContext {
  operation: string;
  tableName: string;
  key?: ItemKey;
}

/** Wraps an SDK or transport error into a DynamoStoreError that keeps it as `cause`. */
export function translateError(context: CallContext, error: unknown): DynamoStoreError {
  const sdk = shape(error);
  const name = String(sdk.name ?? 'Error');
  const retryable =
    sdk.$retryable !== undefined ||
    sdk.$fault === 'server' ||
    RETRYABLE_NAMES.has(name) ||
    TRANSIENT_CODES.has(String(sdk.code));
  const where = context.key ? ` on ${context.key.PK} / ${context.key.SK}` : '';
  return new DynamoStoreError(
    `DynamoDB ${context.operation}${where} in table ${context.tableName} failed: ${name}: ${String(sdk.message ?? error)}`,
    context.operation,
    context.tableName,
    context.key,
    retryable,
    { cause: error },
  );
}

/**
 * Runs one DynamoDB call (`send` only talks to the SDK). A lost condition goes to
 * `onConditionFailed`, which returns a value or throws a port error; every other failure is
 * translated by translateError, so no SDK error type reaches a port caller.
 */
export async function call<T>(
  context: CallContext,
  send: () => Promise<T>,
  onConditionFailed?: (error: unknown) => T,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (onConditionFailed && isConditionFailed(error)) return onConditionFailed(error);
    throw translateError(context, error);
  }
}
