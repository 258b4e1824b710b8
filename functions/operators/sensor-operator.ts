import type { JsonValue, SensorSpec } from '../core/model';
import { sensorSpecOf } from '../core/model';
import { NonRetryableTaskError } from '../core/task-errors';
import type { OperatorInvocation, OperatorResult, PokeState } from '../ports/task-runner';
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
 * One poke's answer: met (its value becomes the XCom), or not yet, with why (for the log and the
 * instance's reason) and an external job to poll on the next poke.
 */
export type PokeOutcome =
  | { met: true; value?: JsonValue }
  | { met: false; why?: string; externalJobId?: string };

/** Checks the condition once; `state` carries what earlier pokes of the try left. */
export type Poke = (state: PokeState) => Promise<PokeOutcome>;

/**
 * Drives any sensor-like operator. Reschedule mode pokes once: done, or `reschedule` and the
 * attempt ends (the runtime counts the poke, decides the next poke time or the timeout in
 * core/sensor.ts, and frees the worker). Poke mode pokes until done, sleeping `pokeInterval`
 * (doubled each time with exponential backoff) and giving up at `timeout` (skipped with
 * softFail, else failed); an external job gets one more poke with `timedOut` to cancel it.
 */
export async function runPokes(
  inv: OperatorInvocation,
  spec: SensorSpec,
  poke: Poke,
): Promise<OperatorResult> {
  if (spec.mode === 'reschedule') {
    const outcome = await poke(inv.poke ?? { timedOut: false });
    if (outcome.met) {
      inv.context.log.info('condition met');
      return { kind: 'done', value: outcome.value };
    }
    return {
      kind: 'reschedule',
      reason: outcome.why ?? 'condition not met',
      ...(outcome.externalJobId !== undefined && { externalJobId: outcome.externalJobId }),
    };
  }
  const started = Date.now();
  let interval = spec.pokeIntervalSeconds;
  let externalJobId: string | undefined;
  for (let count = 1; ; count++) {
    const outcome = await poke({ timedOut: false, ...(externalJobId !== undefined && { externalJobId }) });
    if (outcome.met) {
      inv.context.log.info(`poke ${count}: condition met`);
      return { kind: 'done', value: outcome.value };
    }
    externalJobId = outcome.externalJobId ?? externalJobId;
    const elapsed = (Date.now() - started) / 1000;
    if (elapsed + interval > spec.timeoutSeconds) {
      // One last look that may cancel the external job (a query finishing just now still counts).
      const last = externalJobId !== undefined ? await poke({ timedOut: true, externalJobId }) : undefined;
      if (last?.met) return { kind: 'done', value: last.value };
      const reason = `sensor timeout: condition not met after ${count} pokes in ${Math.round(elapsed)}s (timeout ${spec.timeoutSeconds}s)`;
      if (spec.softFail) return { kind: 'skipped', reason };
      // AirflowSensorTimeout: retrying would only wait the whole timeout again.
      throw new NonRetryableTaskError(reason);
    }
    inv.context.log.info(`poke ${count}: ${outcome.why ?? 'condition not met'}; next poke in ${interval}s`);
    await sleep(interval * 1000, inv.context.signal);
    if (spec.exponentialBackoff) interval *= 2;
  }
}

/** A sensor with a TypeScript poke function (`sensor()` in the SDK). */
export async function runSensor(inv: OperatorInvocation): Promise<OperatorResult> {
  const spec = sensorSpecOf(inv.task.operator);
  if (inv.task.operator.kind !== 'sensor' || !spec) throw new Error('runSensor called for a non-sensor task');
  return runPokes(inv, spec, () => pokeFunction(inv));
}

/** One call of the poke function: met with its XCom, or not met. */
async function pokeFunction(inv: OperatorInvocation): Promise<PokeOutcome> {
  const result = await callTask(inv);
  const done =
    typeof result === 'object' && result !== null ? (result as { done: boolean }).done : Boolean(result);
  if (!done) return { met: false };
  const value =
    typeof result === 'object' && result !== null ? (result as { xcom?: JsonValue }).xcom : undefined;
  return { met: true, ...(value !== undefined && { value }) };
}
