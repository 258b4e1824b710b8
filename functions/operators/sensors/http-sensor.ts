import type { OperatorSpec } from '../../core/model';
import type { OperatorInvocation, OperatorResult } from '../../ports/task-runner';
import { readText } from '../http-operator';
import { sendHttp } from '../http-request';
import { type PokeOutcome, runPokes } from '../sensor-operator';

type HttpSensorSpec = Extract<OperatorSpec, { kind: 'http_sensor' }>;

/** How much of a body is searched for `responseContains` and quoted in a failure. */
const BODY_LIMIT_BYTES = 1024 * 1024;
const EXCERPT_CHARS = 300;

/** What one response means for an HttpSensor. */
export type HttpPokeDecision = 'met' | 'pending' | 'error';

/**
 * Airflow's HttpSensor: an expected status (any 2xx by default) meets the condition when the body
 * holds `responseContains` (else not yet); a status in `pendingStatus` (404 by default, Airflow's
 * `response_error_codes_allowlist`) is "not yet"; any other status is an error that fails the try.
 */
export function decideHttpPoke(
  spec: Pick<HttpSensorSpec, 'expectedStatus' | 'pendingStatus' | 'responseContains'>,
  status: number,
  body: string | undefined,
): HttpPokeDecision {
  const expected = spec.expectedStatus ? spec.expectedStatus.includes(status) : status >= 200 && status < 300;
  if (expected)
    return spec.responseContains === undefined || body?.includes(spec.responseContains) ? 'met' : 'pending';
  return spec.pendingStatus.includes(status) ? 'pending' : 'error';
}

/** Airflow's HttpSensor on global fetch; a refused connection or unexpected status fails the try (retries apply). */
export function runHttpSensor(inv: OperatorInvocation): Promise<OperatorResult> {
  const spec = inv.task.operator;
  if (spec.kind !== 'http_sensor') throw new Error('runHttpSensor called for another operator');
  return runPokes(inv, spec.sensor, () => pokeHttp(inv, spec));
}

async function pokeHttp(inv: OperatorInvocation, spec: HttpSensorSpec): Promise<PokeOutcome> {
  const { context: ctx } = inv;
  const { response, target } = await sendHttp(spec, ctx);
  // Bounded: enough for `responseContains` and the failure excerpt, never a whole download.
  const { text: body } = await readText(response, BODY_LIMIT_BYTES);
  const decision = decideHttpPoke(spec, response.status, body);
  if (decision === 'met') return { met: true };
  if (decision === 'pending') {
    const why = spec.pendingStatus.includes(response.status)
      ? `HTTP ${target} returned ${response.status}`
      : `HTTP ${target} returned ${response.status} without ${JSON.stringify(spec.responseContains)}`;
    return { met: false, why };
  }
  const excerpt = body.slice(0, EXCERPT_CHARS).replace(/\s+/g, ' ').trim();
  const expected = spec.expectedStatus ? spec.expectedStatus.join(', ') : '2xx';
  throw new Error(
    `HTTP ${target} returned ${response.status} (expected ${expected}, or ${spec.pendingStatus.join(', ')} ` +
      `for "not yet")${excerpt ? `: ${excerpt}` : ''}; add the status to pendingStatus to keep poking`,
  );
}
