import type { JsonValue } from '../core/model';
import { NonRetryableTaskError } from '../core/task-errors';
import type { OperatorInvocation, OperatorResult } from '../ports/task-runner';
import { callTask } from './function-operators';

/** Waits between pokes; rejects early when the attempt is aborted (timeout, shutdown). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/**
 * A sensor. Reschedule mode pokes once: done, or `reschedule` and the attempt ends (the runtime
 * counts the poke, decides the next poke time or the timeout, and frees the worker). Poke mode
 * pokes until done, sleeping `pokeInterval` (doubled each time with exponential backoff) and
 * giving up at `timeout` (skipped with softFail, else failed).
 */
export async function runSensor(inv: OperatorInvocation): Promise<OperatorResult> {
  if (inv.task.operator.kind !== 'sensor') throw new Error('runSensor called for a non-sensor task');
  const spec = inv.task.operator.sensor;
  if (spec.mode === 'reschedule') {
    const met = await poke(inv);
    if (met) inv.context.log.info('condition met');
    return met ?? { kind: 'reschedule', reason: 'condition not met' };
  }
  const started = Date.now();
  let interval = spec.pokeIntervalSeconds;
  for (let count = 1; ; count++) {
    const met = await poke(inv);
    if (met) {
      inv.context.log.info(`poke ${count}: condition met`);
      return met;
    }
    const elapsed = (Date.now() - started) / 1000;
    if (elapsed + interval > spec.timeoutSeconds) {
      const reason = `sensor timeout: condition not met after ${count} pokes in ${Math.round(elapsed)}s (timeout ${spec.timeoutSeconds}s)`;
      if (spec.softFail) return { kind: 'skipped', reason };
      // AirflowSensorTimeout: retrying would only wait the whole timeout again.
      throw new NonRetryableTaskError(reason);
    }
    inv.context.log.info(`poke ${count}: condition not met; next poke in ${interval}s`);
    await sleep(interval * 1000, inv.context.signal);
    if (spec.exponentialBackoff) interval *= 2;
  }
}

/** One call of the poke function: the `done` result with its XCom, or undefined when not met. */
async function poke(inv: OperatorInvocation): Promise<OperatorResult | undefined> {
  const result = await callTask(inv);
  const done =
    typeof result === 'object' && result !== null ? (result as { done: boolean }).done : Boolean(result);
  if (!done) return undefined;
  const value =
    typeof result === 'object' && result !== null ? (result as { xcom?: JsonValue }).xcom : undefined;
  return { kind: 'done', value };
}
