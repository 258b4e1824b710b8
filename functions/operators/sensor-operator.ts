import type { JsonValue } from '../core/model';
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
 * A sensor in poke mode: pokes until done, sleeping `pokeInterval` (doubled each time with
 * exponential backoff) and giving up at `timeout` (skipped with softFail, else failed).
 * Reschedule mode, which frees the worker between pokes, is applied by the worker runtime;
 * inside one in-process attempt both modes poke here.
 */
export async function runSensor(inv: OperatorInvocation): Promise<OperatorResult> {
  if (inv.task.operator.kind !== 'sensor') throw new Error('runSensor called for a non-sensor task');
  const spec = inv.task.operator.sensor;
  const started = Date.now();
  let interval = spec.pokeIntervalSeconds;
  for (let poke = 1; ; poke++) {
    const result = await callTask(inv);
    const done =
      typeof result === 'object' && result !== null ? (result as { done: boolean }).done : Boolean(result);
    if (done) {
      const value =
        typeof result === 'object' && result !== null ? (result as { xcom?: JsonValue }).xcom : undefined;
      inv.context.log.info(`poke ${poke}: condition met`);
      return { kind: 'done', value };
    }
    const elapsed = (Date.now() - started) / 1000;
    if (elapsed + interval > spec.timeoutSeconds) {
      const reason = `sensor timeout: condition not met after ${poke} pokes in ${Math.round(elapsed)}s (timeout ${spec.timeoutSeconds}s)`;
      if (spec.softFail) return { kind: 'skipped', reason };
      throw new Error(reason);
    }
    inv.context.log.info(`poke ${poke}: condition not met; next poke in ${interval}s`);
    await sleep(interval * 1000, inv.context.signal);
    if (spec.exponentialBackoff) interval *= 2;
  }
}
