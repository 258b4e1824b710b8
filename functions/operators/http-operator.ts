import type { JsonValue } from '../core/model';
import { NonRetryableTaskError } from '../core/task-errors';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';
import { sendHttp } from './http-request';

/** Default of `xcomLimitBytes`: the XCom stores' default limit (16 MiB). */
export const DEFAULT_XCOM_LIMIT_BYTES = 16 * 1024 * 1024;
/** How much of an unexpected response's body goes into the failure reason. */
const EXCERPT_CHARS = 300;

/**
 * Airflow's HttpOperator on global fetch: the attempt's signal aborts the request on timeout,
 * a status outside `expectedStatus` (any 2xx by default) fails with the status and a body
 * excerpt, and the body becomes the XCom: parsed when the response says JSON, else text.
 * Airflow pushes `response.text` and filters with a `response_filter` callable; declarative
 * tasks carry no callables, so use a downstream task to reshape the value.
 */
export async function runHttp(inv: OperatorInvocation, xcomLimitBytes: number): Promise<OperatorResult> {
  const spec = inv.task.operator;
  if (spec.kind !== 'http') throw new Error('runHttp called for a non-http task');
  const { context: ctx } = inv;
  const { response, target } = await sendHttp(spec, ctx, (t) => ctx.log.info(`HTTP ${t}`));
  const ok = spec.expectedStatus
    ? spec.expectedStatus.includes(response.status)
    : response.status >= 200 && response.status < 300;
  if (!ok) {
    const excerpt = await readText(response, EXCERPT_CHARS * 4).catch(() => ({ text: '', truncated: false }));
    const expected = spec.expectedStatus ? spec.expectedStatus.join(', ') : '2xx';
    // One line, so the reason reads well in `tasks list` and the API; the full body is not logged.
    const body = excerpt.text.slice(0, EXCERPT_CHARS).replace(/\s+/g, ' ').trim();
    const more = excerpt.truncated || excerpt.text.length > EXCERPT_CHARS ? '…' : '';
    throw new Error(
      `HTTP ${target} returned ${response.status} (expected ${expected})${body ? `: ${body}${more}` : ''}`,
    );
  }
  ctx.log.info(`HTTP ${target} returned ${response.status}`);
  if (!spec.responseToXcom && !spec.logResponse) {
    await response.body?.cancel();
    return { kind: 'done', value: undefined };
  }
  // A declared length over the limit fails before any byte is read into the worker's memory.
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > xcomLimitBytes) await response.body?.cancel();
  const { text, truncated } =
    declared > xcomLimitBytes ? { text: '', truncated: true } : await readText(response, xcomLimitBytes);
  if (truncated)
    throw new NonRetryableTaskError(
      `HTTP ${target} returned more than the ${xcomLimitBytes}-byte XCom limit; set responseToXcom: false ` +
        '(and logResponse: false), or have the endpoint write the data to S3 and return its key',
    );
  if (spec.logResponse) ctx.log.info(text);
  if (!spec.responseToXcom) return { kind: 'done', value: undefined };
  return { kind: 'done', value: parseBody(response, text, target) };
}

/** JSON when the response says so (`application/json`, `…+json`; empty means no XCom), else the text. */
function parseBody(response: Response, text: string, target: string): JsonValue | undefined {
  const type = response.headers.get('content-type') ?? '';
  if (!/\bjson\b/i.test(type.split(';')[0] ?? '')) return text;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new NonRetryableTaskError(
      `HTTP ${target} answered content-type "${type}" but the body is not JSON: ${text.slice(0, EXCERPT_CHARS)}`,
      { cause: error },
    );
  }
}

/** Reads at most `limit` bytes of the body as UTF-8; stops (and cancels) instead of buffering more. */
export async function readText(
  response: Response,
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return { text: decode(chunks).slice(0, limit), truncated: true };
    }
  }
  return { text: decode(chunks), truncated: false };
}

function decode(chunks: Uint8Array[]): string {
  return Buffer.concat(chunks).toString('utf8');
}
