/**
 * EventBridge `ECS Task State Change` events shaped as ECS delivers them for a Fargate task that
 * Updraft started (ISO timestamps, overrides echoed back, one container named `task`).
 */

export const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:111122223333:cluster/updraft';
export const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/updraft/3f2c9a1b7d6e4c0f9a8b5e4d3c2b1a09';
export const IMAGE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/updraft-env:5d41402abc4b';
export const IMAGE_DIGEST = 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';

/** The identity variables `start` put in the container override. */
export const IDENTITY_ENV = [
  { name: 'UPDRAFT_DAG_ID', value: 'movielens_ranking' },
  { name: 'UPDRAFT_RUN_ID', value: 'scheduled__2026-11-20T00:00:00+00:00' },
  { name: 'UPDRAFT_TASK_ID', value: 'rank_movies' },
  { name: 'UPDRAFT_MAP_INDEX', value: '-1' },
  { name: 'UPDRAFT_TRY_NUMBER', value: '2' },
];

/** Fields of the event's `detail` that differ between the cases. */
export interface DetailChanges {
  lastStatus?: string;
  desiredStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  containerReason?: string;
  environment?: { name: string; value: string }[];
  started?: boolean;
}

/** A task state change event; by default the task stopped after its container exited 0. */
export function taskStateChangeEvent(changes: DetailChanges = {}): Record<string, unknown> {
  const started = changes.started ?? true;
  const lastStatus = changes.lastStatus ?? 'STOPPED';
  const stopped = lastStatus === 'STOPPED';
  const container: Record<string, unknown> = {
    containerArn:
      'arn:aws:ecs:eu-west-1:111122223333:container/updraft/3f2c9a1b7d6e4c0f9a8b5e4d3c2b1a09/0b6e1c6f',
    lastStatus,
    name: 'task',
    image: IMAGE,
    taskArn: TASK_ARN,
    networkInterfaces: [
      { attachmentId: 'a1b2c3d4-5678-90ab-cdef-11111EXAMPLE', privateIpv4Address: '10.0.1.23' },
    ],
    cpu: '0',
  };
  if (started) {
    container.imageDigest = IMAGE_DIGEST;
    container.runtimeId = '3f2c9a1b7d6e4c0f9a8b5e4d3c2b1a09-1527584361';
  }
  if (stopped && changes.exitCode !== undefined) container.exitCode = changes.exitCode;
  if (changes.containerReason) container.reason = changes.containerReason;
  return {
    version: '0',
    id: '9bcdac79-b31f-4d3d-9410-fbd727c29fab',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '111122223333',
    time: '2026-11-21T10:42:07Z',
    region: 'eu-west-1',
    resources: [TASK_ARN],
    detail: {
      attachments: [
        {
          id: 'a1b2c3d4-5678-90ab-cdef-11111EXAMPLE',
          type: 'eni',
          status: stopped ? 'DELETED' : 'ATTACHED',
          details: [
            { name: 'subnetId', value: 'subnet-0a1b2c3d' },
            { name: 'networkInterfaceId', value: 'eni-0123456789abcdef0' },
            { name: 'privateIPv4Address', value: '10.0.1.23' },
          ],
        },
      ],
      availabilityZone: 'eu-west-1a',
      clusterArn: CLUSTER_ARN,
      containers: [container],
      cpu: '1024',
      createdAt: '2026-11-21T10:40:01.118Z',
      desiredStatus: changes.desiredStatus ?? 'STOPPED',
      enableExecuteCommand: false,
      ephemeralStorage: { sizeInGiB: 20 },
      group: 'family:updraft-env-5d41402abc4b',
      launchType: 'FARGATE',
      lastStatus,
      memory: '4096',
      overrides: {
        containerOverrides: [
          {
            name: 'task',
            command: ['python', '-m', 'ranking', '--top', '10'],
            environment: changes.environment ?? IDENTITY_ENV,
          },
        ],
        cpu: '1024',
        memory: '4096',
      },
      platformVersion: '1.4.0',
      pullStartedAt: '2026-11-21T10:40:12.402Z',
      ...(started && {
        connectivity: 'CONNECTED',
        connectivityAt: '2026-11-21T10:40:05.77Z',
        pullStoppedAt: '2026-11-21T10:40:31.871Z',
        startedAt: '2026-11-21T10:40:33.205Z',
      }),
      startedBy: 'updraft',
      ...(stopped && {
        executionStoppedAt: '2026-11-21T10:41:48.096Z',
        stoppingAt: '2026-11-21T10:41:50.51Z',
        stoppedAt: '2026-11-21T10:42:06.937Z',
        stoppedReason: changes.stoppedReason ?? 'Essential container in task exited',
        stopCode: changes.stopCode ?? 'EssentialContainerExited',
      }),
      updatedAt: '2026-11-21T10:42:06.937Z',
      taskArn: TASK_ARN,
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/updraft-env-5d41402abc4b:3',
      version: stopped ? 5 : 3,
    },
  };
}
