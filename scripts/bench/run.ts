/**
 * `npm run bench [-- --json]`: the AWS runtime on emulators (dynalite + fauxqs), measured.
 * Figures: AWS requests per task instance by service (targets ≤ 5 DynamoDB writes, ≤ 2 SQS
 * requests, ≤ 1 S3 PUT per successful task), median upstream-success → downstream-claim latency
 * (target ≤ 50 ms on emulators), and scheduler tick time for 100 DAGs × 10 active runs.
 */
import { startBenchEnvironment } from './environment';
import { measureRun, measureTick, publishBenchDags, type RunFigures } from './scenarios';

const DYNAMO_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'Put',
  'Update',
  'Delete',
  'BatchWrite',
]);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0
    ? Number.NaN
    : sorted.length % 2
      ? sorted[mid]!
      : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function perTask(runs: RunFigures[]) {
  const tis = runs.reduce((n, r) => n + r.taskInstances, 0);
  const sum = (pick: (row: RunFigures['requests'][number]) => boolean) =>
    runs.reduce((n, r) => n + r.requests.filter(pick).reduce((m, q) => m + q.calls, 0), 0) / tis;
  const byOperation: Record<string, number> = {};
  for (const run of runs)
    for (const q of run.requests)
      byOperation[`${q.service}.${q.operation}`] =
        (byOperation[`${q.service}.${q.operation}`] ?? 0) + q.calls;
  return {
    taskInstances: tis,
    dynamodbWritesPerTask: round(sum((q) => q.service === 'DynamoDB' && DYNAMO_WRITES.has(q.operation))),
    dynamodbReadsPerTask: round(sum((q) => q.service === 'DynamoDB' && !DYNAMO_WRITES.has(q.operation))),
    sqsRequestsPerTask: round(sum((q) => q.service === 'SQS')),
    s3PutsPerTask: round(sum((q) => q.service === 'S3' && q.operation === 'PutObject')),
    s3RequestsPerTask: round(sum((q) => q.service === 'S3')),
    requestsByOperation: Object.fromEntries(Object.entries(byOperation).map(([k, v]) => [k, round(v / tis)])),
    medianDispatchLatencyMs: round(median(runs.flatMap((r) => r.latenciesMs)), 1),
    minDispatchLatencyMs: round(Math.min(...runs.flatMap((r) => r.latenciesMs)), 1),
    p90DispatchLatencyMs: round(
      [...runs.flatMap((r) => r.latenciesMs)].sort((a, b) => a - b)[
        Math.floor(0.9 * runs.flatMap((r) => r.latenciesMs).length)
      ] ?? Number.NaN,
      1,
    ),
    medianRunWallMs: round(median(runs.map((r) => r.wallMs)), 0),
  };
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const env = await startBenchEnvironment();
  try {
    const manifest = await publishBenchDags(env);
    await measureRun(env, 'bench_linear3'); // warm-up: bundle download, module import, connections
    const linear = [];
    for (let i = 0; i < 10; i++) linear.push(await measureRun(env, 'bench_linear3'));
    const fanout = [await measureRun(env, 'bench_fanout100')];
    const tickMs = await measureTick(env, manifest, 100, 10);
    const figures = {
      emulators: 'dynalite + fauxqs on 127.0.0.1',
      linear3: perTask(linear),
      fanout100: perTask(fanout),
      tick100x10: {
        dags: 100,
        activeRunsPerDag: 10,
        medianMs: round(median(tickMs), 0),
        samplesMs: tickMs.map((t) => round(t, 0)),
      },
    };
    if (json) console.log(JSON.stringify(figures));
    else print(figures);
  } finally {
    await env.stop();
  }
}

function print(figures: {
  linear3: ReturnType<typeof perTask>;
  fanout100: ReturnType<typeof perTask>;
  tick100x10: { medianMs: number };
}) {
  const row = (name: string, f: ReturnType<typeof perTask>) =>
    `${name.padEnd(10)} ${String(f.taskInstances).padStart(5)}  ${String(f.dynamodbWritesPerTask).padStart(10)}  ${String(f.dynamodbReadsPerTask).padStart(9)}  ${String(f.sqsRequestsPerTask).padStart(7)}  ${String(f.s3PutsPerTask).padStart(7)}  ${String(f.medianDispatchLatencyMs).padStart(11)}`;
  console.log(
    'per successful task instance (targets: DynamoDB writes ≤ 5, SQS ≤ 2, S3 PUT ≤ 1, dispatch ≤ 50 ms)',
  );
  console.log('scenario     TIs  DDB writes  DDB reads      SQS  S3 PUTs  dispatch ms');
  console.log(row('linear3', figures.linear3));
  console.log(row('fanout100', figures.fanout100));
  console.log(`scheduler tick, 100 DAGs × 10 active runs: median ${figures.tick100x10.medianMs} ms`);
  console.log('requests by operation (per task, linear3):', figures.linear3.requestsByOperation);
}

await main();
