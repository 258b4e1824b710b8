import { AccessDeniedException, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { EcsContainerLauncher } from '../../../functions/adapters/aws/ecs/ecs-container-launcher';
import { EnvSecretProvider } from '../../../functions/adapters/local/env-secret-provider';
import { NunjucksTemplateEngine } from '../../../functions/adapters/shared/nunjucks-engine';
import { type ContainerCompletionDeps, MISSING_GRACE_MS } from '../../../functions/app/complete-container';
import { triggerDagRun } from '../../../functions/app/trigger-dag-run';
import { DEFAULT_PLAN_LIMITS } from '../../../functions/core/planner/commands';
import type { TaskInstanceKey } from '../../../functions/core/records';
import type { ContainerLauncher } from '../../../functions/ports/container-runner';
import type { SecretProvider } from '../../../functions/ports/secret-provider';
import { createSchedulerHandler } from '../../../functions/runtime/handlers/scheduler-handler';
import { ecsConfig, fakeEcs } from '../../helpers/ecs-mocks';
import { createHarness, ManualClock, memoryPorts } from '../../helpers/runtime-harness';
import { HASH, LOGICAL_DATE, OOM_REASON, publishEcsDags, RUN_ID, TASK_DEFINITION } from './ecs-dags';

// Container tasks on ECS Fargate, end to end through the real worker, scheduler and completion
// code over in-memory ports: only ECS and CloudWatch Logs are fakes (aws-sdk-client-mock).

let fake: ReturnType<typeof fakeEcs> | undefined;
afterEach(() => {
  fake?.restore();
  fake = undefined;
});

/** A deployment with one task definition (the `ranker` environment's) and a scheduler that ends ECS tasks. */
async function setUp(options: { secrets?: SecretProvider } = {}) {
  fake = fakeEcs();
  const ecs = fake;
  const clock = new ManualClock();
  const ports = memoryPorts(clock);
  await publishEcsDags(ports.bundles);
  const ecsLauncher = new EcsContainerLauncher(
    ecs.ecsClient,
    ecs.logsClient,
    ecsConfig({ [HASH]: TASK_DEFINITION }),
  );
  /** Runs after ECS accepted a task and before the worker hears of it (a task that stops at once). */
  const hooks: { afterStart?: (taskArn: string) => Promise<void> } = {};
  const launcher: ContainerLauncher = {
    start: async (launch) => {
      const started = await ecsLauncher.start(launch);
      await hooks.afterStart?.(started.taskArn);
      return started;
    },
    check: (taskArns) => ecsLauncher.check(taskArns),
    stop: (taskArn, reason) => ecsLauncher.stop(taskArn, reason),
    logLines: (taskArn) => ecsLauncher.logLines(taskArn),
  };
  const harness = createHarness(ports, {
    clock,
    services: { containers: { kind: 'detached', launcher } },
    ...(options.secrets && { secrets: options.secrets }),
  });
  const callbackErrors: string[] = [];
  const completion: ContainerCompletionDeps = {
    store: ports.store,
    bundles: ports.bundles,
    xcom: ports.xcom,
    logs: ports.logs,
    launcher,
    clock,
    metrics: harness.metrics,
    templates: new NunjucksTemplateEngine(),
    ...(options.secrets && { secrets: options.secrets }),
    onCallbackError: (message) => callbackErrors.push(message),
  };
  const scheduler = createSchedulerHandler(
    { ...harness.workerDeps, containerStopper: launcher },
    { deps: completion, containerName: 'task' },
  );
  const key = (dagId: string, taskId: string): TaskInstanceKey => ({
    dagId,
    runId: RUN_ID,
    taskId,
    mapIndex: -1,
  });
  const ti = async (dagId: string, taskId: string) =>
    (await ports.store.getTaskInstance(key(dagId, taskId)))!;
  /** Triggers the DAG, ticks, and delivers the queued messages: container tasks are started on ECS. */
  const start = async (dagId: string) => {
    const result = await triggerDagRun({ ...ports, clock }, { dagId, logicalDate: LOGICAL_DATE });
    if (!result.ok) throw new Error(result.message);
    await harness.tick();
    await harness.drain();
    return result.run;
  };
  const rateTick = () => scheduler({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
  const logOf = (dagId: string, taskId: string, tryNumber = 1) =>
    ports.logs.text(key(dagId, taskId), tryNumber);
  return { ecs, clock, ports, harness, hooks, scheduler, rateTick, key, ti, start, logOf, callbackErrors };
}

describe('container tasks on ECS Fargate (detached from the worker)', () => {
  it('starts the rendered task on Fargate and leaves it running outside the worker, never a zombie', async () => {
    const { ecs, clock, ports, harness, key, rateTick, ti, start, logOf } = await setUp();
    await start('ecs_rank');

    expect(ecs.runTaskInputs()).toHaveLength(1);
    const input = ecs.runTaskInputs()[0]!;
    expect(input).toMatchObject({
      cluster: 'updraft',
      launchType: 'FARGATE',
      taskDefinition: TASK_DEFINITION,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-0a1b2c3d'],
          securityGroups: ['sg-0123456789abcdef0'],
          assignPublicIp: 'DISABLED',
        },
      },
      startedBy: 'updraft',
      // 0.5 vCPU and 3000 MiB: the smallest Fargate size that fits.
      overrides: { cpu: '512', memory: '3072' },
    });
    const override = input.overrides!.containerOverrides![0]!;
    expect(override.name).toBe('task');
    expect(override.command).toEqual(['python', '-m', 'ranking', '--date', '2024-05-01', '--top', '10']);
    expect(Object.fromEntries(override.environment!.map((e) => [e.name, e.value]))).toEqual({
      RUN: RUN_ID,
      UPDRAFT_DAG_ID: 'ecs_rank',
      UPDRAFT_RUN_ID: RUN_ID,
      UPDRAFT_TASK_ID: 'rank',
      UPDRAFT_MAP_INDEX: '-1',
      UPDRAFT_TRY_NUMBER: '1',
      UPDRAFT_LOGICAL_DATE: expect.stringMatching(/^2024-05-01T00:00:00/),
      UPDRAFT_PARAMS: '{"top":10}',
      UPDRAFT_CONF: '{}',
    });

    const taskArn = ecs.started[0]!.taskArn;
    expect(await ti('ecs_rank', 'rank')).toMatchObject({
      state: 'running',
      tryNumber: 1,
      externalJob: { tryNumber: 1, id: taskArn },
      reason: `running as ECS task ${taskArn}`,
      environment: {
        runtime: 'ecs-fargate',
        taskArn,
        name: 'ranker',
        hash: HASH,
        // What Fargate gave it (3000 MiB asked, 3072 the next size), which escalation doubles from.
        memoryMiB: 3072,
        bundleVersion: 'vecs',
      },
      renderedFields: expect.objectContaining({ 'args[1]': '2024-05-01', 'args[3]': '10' }),
    });
    // The worker returned as soon as ECS accepted the task.
    expect(harness.invocations).toEqual({ total: 1, inFlight: 0 });
    expect(logOf('ecs_rank', 'rank')).toContain(`started ECS task ${taskArn} (0.5 vCPU, 3072 MiB)`);
    // Where to tail it until it stops (awslogs: <prefix>/<container>/<task id>).
    expect(logOf('ecs_rank', 'rank')).toContain(
      `its output streams to CloudWatch Logs ${ecsConfig({}).logGroup}, stream updraft/task/${taskArn.split('/').at(-1)} until it stops`,
    );
    expect(logOf('ecs_rank', 'rank')).toContain('attempt 1 continues outside the worker');
    expect((await ports.store.getTaskInstance(key('ecs_rank', 'publish')))?.state ?? 'none').toBe('none');

    // No worker heartbeats an ECS task: well past the zombie timeout, ticks leave it running.
    clock.advance(DEFAULT_PLAN_LIMITS.zombieAfterSeconds * 3);
    await harness.tick();
    await rateTick();
    expect(ecs.describeTasksCalls()).toEqual([{ cluster: 'updraft', tasks: [taskArn] }]);
    expect(await ti('ecs_rank', 'rank')).toMatchObject({ state: 'running', tryNumber: 1 });
    expect(ecs.runTaskInputs()).toHaveLength(1);
  });

  it('ends the attempt on the stop event: success, XCom from the last line, container output in the log, downstream run', async () => {
    const { ecs, ports, harness, scheduler, ti, key, start, logOf } = await setUp();
    const run = await start('ecs_rank');
    const rankArn = ecs.started[0]!.taskArn;

    const event = ecs.stop(rankArn, {
      exitCode: 0,
      lines: ['loading 100836 ratings', 'ranked 9742 movies', '{"top": [318, 356, 296]}', ''],
    });
    await scheduler(event);

    expect(await ti('ecs_rank', 'rank')).toMatchObject({
      state: 'success',
      tryNumber: 1,
      environment: {
        runtime: 'ecs-fargate',
        taskArn: rankArn,
        image: expect.stringContaining('updraft-env'),
        imageDigest: expect.stringMatching(/^sha256:/),
      },
    });
    expect(await ports.xcom.pull(key('ecs_rank', 'rank'), 'return_value')).toEqual({ top: [318, 356, 296] });
    const log = logOf('ecs_rank', 'rank');
    expect(log).toContain(`ECS task ${rankArn} stopped; its output (4 lines) follows`);
    expect(log).toContain('loading 100836 ratings\nranked 9742 movies\n{"top": [318, 356, 296]}');
    expect(log).toContain('attempt 1 ended success');
    // The same scheduler invocation ticked after the completion: the downstream task is queued.
    expect((await ti('ecs_rank', 'publish')).state).toBe('queued');

    await harness.drain();
    expect(ecs.runTaskInputs()).toHaveLength(2);
    const publish = ecs.runTaskInputs()[1]!;
    // No command: the image's entrypoint, the rendered XCom as its argument; 512 MiB at 0.25 vCPU.
    expect(publish.overrides).toMatchObject({
      cpu: '256',
      memory: '512',
      containerOverrides: [{ name: 'task', command: ['{"top":[318,356,296]}'] }],
    });
    await scheduler(ecs.stop(ecs.started[1]!.taskArn, { exitCode: 0, lines: ['published'] }));
    expect(await ti('ecs_rank', 'publish')).toMatchObject({ state: 'success' });
    expect(await ports.xcom.pull(key('ecs_rank', 'publish'), 'return_value')).toBe('published');
    expect((await ports.store.getRun('ecs_rank', run.runId))?.state).toBe('success');
  });

  it('fails the attempt with the exit code and the stopped reason', async () => {
    const { ecs, ports, scheduler, ti, start, logOf } = await setUp();
    await start('ecs_fail');
    const event = ecs.stop(ecs.started[0]!.taskArn, {
      exitCode: 3,
      stoppedReason: 'Essential container in task exited',
      lines: ['Traceback (most recent call last):', 'ValueError: no ratings for 2024-05-01'],
    });
    await scheduler(event);
    const reason = 'container of task "crash" exited with code 3: Essential container in task exited';
    expect(await ti('ecs_fail', 'crash')).toMatchObject({ state: 'failed', tryNumber: 1, reason });
    expect(logOf('ecs_fail', 'crash')).toContain('ValueError: no ratings for 2024-05-01');
    expect(logOf('ecs_fail', 'crash')).toContain(reason);
    expect((await ports.store.getRun('ecs_fail', RUN_ID))?.state).toBe('failed');
    expect(
      await ports.xcom.pull(
        { dagId: 'ecs_fail', runId: RUN_ID, taskId: 'crash', mapIndex: -1 },
        'return_value',
      ),
    ).toBeUndefined();
  });

  it('names an out-of-memory stop out_of_memory, with the attempt memory as the limit', async () => {
    const { ecs, scheduler, ti, start } = await setUp();
    await start('ecs_oom');
    await scheduler(ecs.stop(ecs.started[0]!.taskArn, { exitCode: 137, containerReason: OOM_REASON }));
    expect(await ti('ecs_oom', 'hog')).toMatchObject({
      state: 'failed',
      reason: 'out_of_memory: container killed for exceeding its memory (exit 137) (limit 1024 MiB)',
    });
  });

  it('retries an out-of-memory stop at once with double the memory when the task asks for it', async () => {
    const { ecs, harness, scheduler, ti, start } = await setUp();
    await start('ecs_oom_escalate');
    const firstArn = ecs.started[0]!.taskArn;
    const oom = ecs.stop(firstArn, { exitCode: 137, containerReason: OOM_REASON });
    await scheduler(oom);
    // The scheduler's own tick already re-queued try 2 (no retry delay).
    expect(await ti('ecs_oom_escalate', 'crunch')).toMatchObject({
      state: 'queued',
      tryNumber: 2,
      memoryMiB: 2048,
    });
    await harness.drain();
    const [first, second] = ecs.runTaskInputs();
    expect(first!.overrides).toMatchObject({ cpu: '256', memory: '1024' });
    expect(second!.overrides).toMatchObject({ cpu: '256', memory: '2048' });
    const env = Object.fromEntries(
      second!.overrides!.containerOverrides![0]!.environment!.map((e) => [e.name, e.value]),
    );
    expect(env.UPDRAFT_TRY_NUMBER).toBe('2');
    const secondArn = ecs.started[1]!.taskArn;
    expect(await ti('ecs_oom_escalate', 'crunch')).toMatchObject({
      state: 'running',
      tryNumber: 2,
      externalJob: { tryNumber: 2, id: secondArn },
      environment: { memoryMiB: 2048, taskArn: secondArn },
    });

    // A late duplicate of try 1's event does not touch try 2.
    const before = await ti('ecs_oom_escalate', 'crunch');
    await scheduler(oom);
    expect(await ti('ecs_oom_escalate', 'crunch')).toEqual(before);

    await scheduler(ecs.stop(secondArn, { exitCode: 0, lines: ['600'] }));
    expect(await ti('ecs_oom_escalate', 'crunch')).toMatchObject({ state: 'success', tryNumber: 2 });
  });

  it('completes a task whose stop event was lost at the next rate tick (DescribeTasks)', async () => {
    const { ecs, ports, key, rateTick, ti, start } = await setUp();
    await start('ecs_rank');
    const rankArn = ecs.started[0]!.taskArn;
    ecs.stop(rankArn, { exitCode: 0, lines: ['[318, 356]'] }); // the event is never delivered

    await rateTick();
    expect(ecs.describeTasksCalls()).toEqual([{ cluster: 'updraft', tasks: [rankArn] }]);
    expect((await ti('ecs_rank', 'rank')).state).toBe('success');
    expect(await ports.xcom.pull(key('ecs_rank', 'rank'), 'return_value')).toEqual([318, 356]);
    expect((await ti('ecs_rank', 'publish')).state).toBe('queued');
  });

  it('drops a duplicate stop event for a finished attempt without changing the instance', async () => {
    const { ecs, ports, key, scheduler, ti, start } = await setUp();
    await start('ecs_fail');
    const event = ecs.stop(ecs.started[0]!.taskArn, { exitCode: 0, lines: ['"done"'] });
    await scheduler(event);
    const finished = await ti('ecs_fail', 'crash');
    expect(finished.state).toBe('success');
    const lines = ports.logs.lines.length;

    // EventBridge delivers at least once; a rate tick also sees the task stopped: both are dropped.
    await scheduler(event);
    await scheduler({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
    expect(await ti('ecs_fail', 'crash')).toEqual(finished);
    expect(await ports.xcom.pull(key('ecs_fail', 'crash'), 'return_value')).toBe('done');
    expect(ports.logs.lines.length).toBe(lines);
  });

  it('fails for good a task whose environment has no task definition in the deployment', async () => {
    const { ecs, ti, start, logOf } = await setUp();
    await start('ecs_unbuilt');
    expect(ecs.runTaskInputs()).toEqual([]);
    const orphan = await ti('ecs_unbuilt', 'orphan');
    // retries: 2, yet no retry: the same deployment would fail the same way.
    expect(orphan).toMatchObject({ state: 'failed', tryNumber: 1 });
    expect(orphan.reason).toContain('environment "unbuilt" (hash ffffeeee0000) has no task definition');
    expect(orphan.reason).toContain('cdk deploy');
    expect(logOf('ecs_unbuilt', 'orphan')).toContain('cdk deploy');
  });

  it('fails an attempt whose ECS task never started (image pull), with no log stream to copy', async () => {
    const { ecs, scheduler, ti, start, logOf } = await setUp();
    await start('ecs_fail');
    const taskArn = ecs.started[0]!.taskArn;
    const pull =
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref';
    await scheduler(ecs.stop(taskArn, { stopCode: 'TaskFailedToStart', stoppedReason: pull }));
    expect(await ti('ecs_fail', 'crash')).toMatchObject({
      state: 'failed',
      reason: `container of task "crash" ended without an exit code: ${pull}`,
    });
    expect(logOf('ecs_fail', 'crash')).toContain(`ECS task ${taskArn} stopped; its output (0 lines) follows`);
  });

  it('ends a task that stopped before its worker recorded it: the early event is dropped, the rate tick ends it', async () => {
    const { ecs, hooks, scheduler, rateTick, ti, start } = await setUp();
    hooks.afterStart = async (taskArn) => {
      await scheduler(ecs.stop(taskArn, { exitCode: 0, lines: ['42'] }));
    };
    await start('ecs_fail');
    // The event came while the instance had no ECS task yet: nothing ended it.
    expect(await ti('ecs_fail', 'crash')).toMatchObject({ state: 'running', externalJob: { tryNumber: 1 } });
    await rateTick();
    expect(await ti('ecs_fail', 'crash')).toMatchObject({ state: 'success' });
  });

  // A lost event and a task ECS has forgotten: the attempt must not stay running forever.
  it('fails an attempt whose ECS task ECS no longer knows (DescribeTasks: MISSING), after a grace period', async () => {
    const { ecs, clock, rateTick, ti, start } = await setUp();
    await start('ecs_fail');
    const taskArn = ecs.started[0]!.taskArn;
    ecs.forget(taskArn);
    // DescribeTasks is eventually consistent: right after RunTask, MISSING proves nothing.
    await rateTick();
    expect((await ti('ecs_fail', 'crash')).state).toBe('running');
    clock.advance(MISSING_GRACE_MS / 1000 + 1);
    await rateTick();
    const crash = await ti('ecs_fail', 'crash');
    expect(crash.state).toBe('failed');
    expect(crash.reason).toContain(taskArn);
    // Stopped too, in case it runs after all: never next to a retry.
    expect(ecs.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([taskArn]);
  });

  // The worker masked the attempt's half of the log; the scheduler's half must hide the same secrets.
  it('masks the secrets the attempt rendered in the container output it copies into the task log', async () => {
    const token = 'tok-7f3c9a1b2d4e';
    const secrets = new EnvSecretProvider({ UPDRAFT_VAR_API_KEY: token });
    const { ecs, scheduler, ti, start, logOf } = await setUp({ secrets });
    await start('ecs_secret');
    const env = ecs.runTaskInputs()[0]!.overrides!.containerOverrides![0]!.environment!;
    expect(env).toContainEqual({ name: 'API_KEY', value: token });
    expect((await ti('ecs_secret', 'call_api')).renderedFields).toEqual({ 'env.API_KEY': '***' });

    await scheduler(ecs.stop(ecs.started[0]!.taskArn, { exitCode: 0, lines: [`calling with ${token}`] }));
    expect((await ti('ecs_secret', 'call_api')).state).toBe('success');
    expect(logOf('ecs_secret', 'call_api')).toContain('calling with ***');
    expect(logOf('ecs_secret', 'call_api')).not.toContain(token);
  });

  // One container attempt that cannot be ended must not stop the scheduler for every DAG.
  it('still ticks when ending a stopped container fails (its log cannot be read)', async () => {
    const { ecs, clock, ports, rateTick, ti, start } = await setUp();
    await start('ecs_fail');
    ecs.stop(ecs.started[0]!.taskArn, { exitCode: 0, lines: ['done'] });
    ecs.logs
      .on(GetLogEventsCommand)
      .rejects(
        new AccessDeniedException({ message: 'not authorized to perform: logs:GetLogEvents', $metadata: {} }),
      );
    const other = await triggerDagRun({ ...ports, clock }, { dagId: 'ecs_oom', logicalDate: LOGICAL_DATE });
    if (!other.ok) throw new Error(other.message);

    await expect(rateTick()).resolves.toBeDefined();
    expect((await ti('ecs_fail', 'crash')).state).toBe('running'); // ended by a later tick
    expect((await ti('ecs_oom', 'hog')).state).toBe('queued');
  });
  it('stops the ECS task of an attempt the tick fails for its execution timeout, then retries it', async () => {
    const { ecs, clock, rateTick, ti, start } = await setUp();
    await start('ecs_slow');
    const first = ecs.started[0]!.taskArn;
    clock.advance(61 + DEFAULT_PLAN_LIMITS.timeoutGraceSeconds);
    await rateTick();
    const stops = ecs.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input);
    expect(stops).toEqual([
      {
        cluster: 'updraft',
        task: first,
        reason: expect.stringMatching(/^execution_timeout: still running after 60s/),
      },
    ]);
    const crawl = await ti('ecs_slow', 'crawl');
    expect(crawl.reason).toMatch(/execution_timeout/);
    expect(['up_for_retry', 'queued']).toContain(crawl.state);
  });
});
