import { createHash } from 'node:crypto';
import type { OperatorSpec } from '../../core/model';
import { NonRetryableTaskError } from '../../core/task-errors';
import type { QueryEngine, QueryStatus } from '../../ports/query-engine';
import type { OperatorInvocation, OperatorResult, PokeState } from '../../ports/task-runner';
import { type PokeOutcome, runPokes } from '../sensor-operator';

type AthenaSpec = Extract<OperatorSpec, { kind: 'athena_query' }>;

/** What a poll of a started query leads to. */
export type AthenaDecision =
  | { kind: 'succeeded'; outputLocation?: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'wait'; why: string }
  /** Still running when the timeout passed: stop it, then fail. */
  | { kind: 'stop'; why: string };

/** Maps Athena's state (and the sensor's timeout) to the next step. */
export function decideAthena(queryId: string, status: QueryStatus, timedOut: boolean): AthenaDecision {
  switch (status.state) {
    case 'SUCCEEDED':
      return { kind: 'succeeded', ...(status.outputLocation && { outputLocation: status.outputLocation }) };
    case 'FAILED':
    case 'CANCELLED':
      return {
        kind: 'failed',
        reason: `Athena query ${queryId} ${status.state}: ${status.reason ?? 'no reason given'}`,
      };
    case 'QUEUED':
    case 'RUNNING':
      return timedOut
        ? { kind: 'stop', why: `Athena query ${queryId} still ${status.state} at the timeout` }
        : { kind: 'wait', why: `Athena query ${queryId} is ${status.state}` };
  }
}

/**
 * Idempotency token of one try's query: a duplicate delivery of the first poke (or a crash before
 * its id was written) gets the same query back, while a retry (new try number) starts a new one.
 */
export function queryToken(inv: OperatorInvocation): string {
  const c = inv.context;
  return createHash('sha256')
    .update(`${c.dagId}\n${c.runId}\n${c.taskId}\n${c.mapIndex}\n${c.tryNumber}`)
    .digest('hex');
}

/**
 * Airflow's AthenaOperator without holding a worker: the first poke starts the query and returns
 * its id to remember on the instance; later pokes check its state. The XCom is
 * `{ queryExecutionId, outputLocation }`. A FAILED/CANCELLED query fails the try with Athena's
 * reason (retries start a new query); a query still running at the timeout is stopped first.
 */
export function runAthenaQuery(inv: OperatorInvocation, engine: QueryEngine): Promise<OperatorResult> {
  const spec = inv.task.operator;
  if (spec.kind !== 'athena_query') throw new Error('runAthenaQuery called for another operator');
  return runPokes(inv, spec.sensor, (state) => pokeAthena(inv, spec, engine, state));
}

async function pokeAthena(
  inv: OperatorInvocation,
  spec: AthenaSpec,
  engine: QueryEngine,
  state: PokeState,
): Promise<PokeOutcome> {
  const log = inv.context.log;
  const queryId =
    state.externalJobId ??
    (await engine.start({
      query: spec.query,
      database: spec.database,
      clientRequestToken: queryToken(inv),
      ...(spec.catalog !== undefined && { catalog: spec.catalog }),
      ...(spec.workgroup !== undefined && { workgroup: spec.workgroup }),
      ...(spec.outputLocation !== undefined && { outputLocation: spec.outputLocation }),
    }));
  if (state.externalJobId === undefined) log.info(`started Athena query ${queryId}`);
  const decision = decideAthena(queryId, await engine.status(queryId), state.timedOut);
  switch (decision.kind) {
    case 'succeeded':
      log.info(`Athena query ${queryId} succeeded; results at ${decision.outputLocation ?? '(unknown)'}`);
      return {
        met: true,
        value: { queryExecutionId: queryId, outputLocation: decision.outputLocation ?? null },
      };
    case 'failed':
      throw new Error(decision.reason);
    case 'wait':
      return { met: false, why: decision.why, externalJobId: queryId };
    case 'stop':
      await engine.stop(queryId);
      // AirflowSensorTimeout semantics: retrying would only wait the whole timeout again.
      throw new NonRetryableTaskError(
        `${decision.why} (timeout ${spec.sensor.timeoutSeconds}s); stopped it. Raise timeoutSeconds or speed up the query`,
      );
  }
}
