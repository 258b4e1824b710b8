import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ENV } from '../functions/runtime/env-keys';
import {
  dedupeEnvironments,
  ENVIRONMENT_HASH,
  readBundleEnvironments,
  type TaskEnvironmentSpec,
} from './bundle-environments';
import type { ContainerTasks } from './container-tasks';
import type { BuiltDagBundle } from './dag-bundle';
import { acknowledgeWildcardResource, nagRef } from './nag';

/** Name of the one container of every environment's task definition (RunTask overrides target it). */
export const TASK_CONTAINER_NAME = 'task';
/** awslogs stream prefix: a task's stream is `<prefix>/<container>/<task id>`. */
export const TASK_LOG_STREAM_PREFIX = 'updraft';
/** Base size of a task definition; the worker overrides cpu/memory per RunTask. */
const BASE_CPU = 256;
const BASE_MEMORY_MIB = 512;

/** Props of {@link TaskEnvironments}. */
export interface TaskEnvironmentsProps {
  /** Cluster, roles and container log group the task definitions use. */
  readonly containerTasks: ContainerTasks;
  /** The bundle's environments; duplicates (same hash) share one task definition. */
  readonly environments: readonly TaskEnvironmentSpec[];
  /** The built bundle (holds `envs/<hash>/requirements.txt` of each Python environment). */
  readonly bundleDir: string;
  /** Absolute DAGs folder: image `directory` paths are relative to it. */
  readonly dagsFolder: string;
  /** Task role per DAG id for its container tasks. @default - every DAG uses the shared task role */
  readonly dagTaskRoles?: Readonly<Record<string, iam.IRole>>;
}

/**
 * One Fargate task definition per task environment of the DAG bundle, built at deploy time: a
 * Python environment becomes an image generated from `python:<version>-slim` plus its
 * requirements, an image directory is built from its Dockerfile, an image URI is pulled as is.
 * Synth only stages the Docker contexts (no Docker needed); `cdk deploy` builds and pushes them.
 */
export class TaskEnvironments extends Construct {
  /** Task definition of each environment, by hash. */
  readonly taskDefinitions: ReadonlyMap<string, ecs.FargateTaskDefinition>;
  private readonly containerTasks: ContainerTasks;
  private readonly dagTaskRoles: Readonly<Record<string, iam.IRole>>;

  constructor(scope: Construct, id: string, props: TaskEnvironmentsProps) {
    super(scope, id);
    this.containerTasks = props.containerTasks;
    this.dagTaskRoles = props.dagTaskRoles ?? {};
    // An empty grantRun would be a policy statement without resources: build only what is declared.
    if (props.environments.length === 0)
      throw new Error('TaskEnvironments: no environments; create it only for a bundle that declares some');
    const taskDefinitions = new Map<string, ecs.FargateTaskDefinition>();
    for (const { spec, names } of dedupeEnvironments(props.environments)) {
      if (!ENVIRONMENT_HASH.test(spec.hash))
        throw new Error(
          `TaskEnvironments: environment ${JSON.stringify(spec.name)} has hash ${JSON.stringify(spec.hash)}; expected 1–128 of A-Z a-z 0-9 _ -`,
        );
      // The id is the content hash, so renaming an environment keeps its task definition.
      const taskDefinition = new ecs.FargateTaskDefinition(this, `Env${spec.hash}`, {
        cpu: BASE_CPU,
        memoryLimitMiB: BASE_MEMORY_MIB,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
        executionRole: props.containerTasks.executionRole,
        taskRole: props.containerTasks.taskRole,
      });
      const { image, generated } = containerImage(spec, names, props);
      taskDefinition.addContainer(TASK_CONTAINER_NAME, {
        image,
        essential: true,
        logging: ecs.LogDrivers.awsLogs({
          logGroup: props.containerTasks.logGroup,
          streamPrefix: TASK_LOG_STREAM_PREFIX,
        }),
      });
      // Adding the container staged the generated context into cdk.out: it is not needed any more,
      // unless staging is off (the asset then points at the folder itself until the process ends).
      if (generated) removeGenerated(generated, this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT));
      taskDefinitions.set(spec.hash, taskDefinition);
    }
    this.taskDefinitions = taskDefinitions;
  }

  /**
   * Task definitions of the environments a built bundle declares (none declared: none made, so
   * `undefined`). They run on the container-task cluster: declaring any without it fails the synth.
   */
  static fromBundle(
    scope: Construct,
    id: string,
    bundle: Pick<BuiltDagBundle, 'dir' | 'folder'>,
    containerTasks: ContainerTasks | undefined,
    dagTaskRoles?: Readonly<Record<string, iam.IRole>>,
  ): TaskEnvironments | undefined {
    const environments = readBundleEnvironments(bundle.dir);
    if (environments.length === 0) return undefined;
    if (!containerTasks) {
      const names = [...new Set(environments.flatMap((e) => e.names))].sort().map((n) => JSON.stringify(n));
      throw new Error(
        `Updraft: the DAG bundle of ${bundle.folder} (dagsPath) declares environments ${names.join(', ')} for container/Python tasks, which run on ECS Fargate; set \`containerTasks: true\` (context \`updraft:containerTasks=true\`) or remove those tasks`,
      );
    }
    return new TaskEnvironments(scope, id, {
      containerTasks,
      environments: environments.map((e) => e.spec),
      bundleDir: bundle.dir,
      dagsFolder: bundle.folder,
      ...(dagTaskRoles && { dagTaskRoles }),
    });
  }

  /** The `UPDRAFT_ECS_*` variables that map an environment hash to its task definition. */
  environment(): Record<string, string> {
    const arns = Object.fromEntries(
      [...this.taskDefinitions].map(([hash, definition]) => [hash, definition.taskDefinitionArn]),
    );
    return {
      [ENV.ecsTaskDefinitions]: Stack.of(this).toJsonString(arns),
      [ENV.ecsContainerName]: TASK_CONTAINER_NAME,
      [ENV.ecsLogStreamPrefix]: TASK_LOG_STREAM_PREFIX,
      ...(Object.keys(this.dagTaskRoles).length > 0 && {
        [ENV.ecsTaskRoles]: Stack.of(this).toJsonString(
          Object.fromEntries(Object.entries(this.dagTaskRoles).map(([dagId, role]) => [dagId, role.roleArn])),
        ),
      }),
    };
  }

  /**
   * Lets the grantee start these task definitions (on the Updraft cluster only), pass the
   * execution and task roles to ECS, and tag the tasks it starts (propagated tags), nothing else.
   */
  grantRun(grantee: iam.IGrantable): iam.Grant {
    const { cluster, executionRole, taskRole } = this.containerTasks;
    const run = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ecs:RunTask'],
      resourceArns: [...this.taskDefinitions.values()].map((definition) => definition.taskDefinitionArn),
      conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
    });
    const pass = iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [
        executionRole.roleArn,
        taskRole.roleArn,
        ...Object.values(this.dagTaskRoles).map((role) => role.roleArn),
      ],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
    // RunTask propagates the task definition's tags (stack tags, if any): tagging on create needs
    // ecs:TagResource on the new task, whose id is generated, so only for RunTask in this cluster.
    const stack = Stack.of(this);
    acknowledgeWildcardResource(
      grantee,
      `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${nagRef(cluster.node.defaultChild as ecs.CfnCluster)}/*`,
      'ECS task ids are generated when a task starts; the grant is ecs:TagResource only, only as part of RunTask (ecs:CreateAction), on the tasks of the Updraft cluster (tags propagated from the task definition)',
    );
    const tag = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ecs:TagResource'],
      resourceArns: [
        stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` }),
      ],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    });
    return run.combine(pass).combine(tag);
  }

  /** Lets the grantee read the container log streams (a task's output, after it stops). */
  grantReadLogs(grantee: iam.IGrantable): iam.Grant {
    const logGroup = this.containerTasks.logGroup;
    acknowledgeWildcardResource(
      grantee,
      `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${nagRef(logGroup.node.defaultChild as logs.CfnLogGroup)}:log-stream:*`,
      'Log stream names end with the ECS task id, generated when a task starts; the grant is logs:GetLogEvents only, on the streams of the Updraft container log group',
    );
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['logs:GetLogEvents'],
      resourceArns: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: `${logGroup.logGroupName}:log-stream:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });
  }
}

/** The image of one environment; a bad spec throws naming the environment, the path and the fix. */
function containerImage(
  spec: TaskEnvironmentSpec,
  names: readonly string[],
  props: TaskEnvironmentsProps,
): { image: ecs.ContainerImage; generated?: string } {
  const label = `Updraft: task environment ${names.map((n) => JSON.stringify(n)).join(' / ')}`;
  // Fargate here is X86_64: build for it even from an ARM laptop.
  const platform = Platform.LINUX_AMD64;
  if (spec.kind === 'python') {
    const generated = pythonContext(spec, label, props.bundleDir);
    return { image: ecs.ContainerImage.fromAsset(generated, { platform }), generated };
  }
  if ('uri' in spec) return { image: ecs.ContainerImage.fromRegistry(spec.uri) };
  const folder = resolve(props.dagsFolder, spec.directory);
  const inside = relative(props.dagsFolder, folder);
  if (isAbsolute(spec.directory) || inside.startsWith('..') || isAbsolute(inside))
    throw new Error(
      `${label}: image directory ${JSON.stringify(spec.directory)} must be a folder inside the DAGs folder ${props.dagsFolder}; move the Dockerfile folder there and give its relative path`,
    );
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new Error(
      `${label}: image directory ${folder} does not exist; create it with a Dockerfile (the path ${JSON.stringify(spec.directory)} is relative to the DAGs folder ${props.dagsFolder})`,
    );
  if (!existsSync(join(folder, 'Dockerfile')))
    throw new Error(
      `${label}: no Dockerfile in image directory ${folder}; add ${join(folder, 'Dockerfile')} or declare the image by uri`,
    );
  return { image: ecs.ContainerImage.fromAsset(folder, { platform }) };
}

/** Interpreter versions as Docker Hub's python tags spell them (`3.12`, `3.12.7`). */
const PYTHON_VERSION = /^3\.\d{1,2}(\.\d{1,2})?$/;

/**
 * The Docker context of a Python environment: a generated Dockerfile and the bundle's copy of the
 * requirements folder (`env/`: the file plus what it names relative to itself, such as
 * `--find-links wheels` or `-c constraints.txt`). The asset hash is content-based, so where the
 * folder lives does not matter.
 */
function pythonContext(
  spec: Extract<TaskEnvironmentSpec, { kind: 'python' }>,
  label: string,
  bundleDir: string,
): string {
  if (!PYTHON_VERSION.test(spec.python))
    throw new Error(
      `${label}: python ${JSON.stringify(spec.python)} is not a Python 3 version such as "3.12"; fix the environment's python version`,
    );
  const requirements = join(bundleDir, 'envs', spec.hash, 'requirements.txt');
  if (!existsSync(requirements))
    throw new Error(
      `${label}: the bundle has no ${requirements} (copy of ${spec.requirements}); rebuild the bundle with \`updraft dags build\``,
    );
  const dir = mkdtempSync(join(tmpdir(), `updraft-env-${spec.hash}-`));
  cpSync(join(bundleDir, 'envs', spec.hash), join(dir, 'env'), { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), pythonDockerfile(spec.python));
  return dir;
}

/** The generated Dockerfile of a Python environment (non-root, requirements preinstalled). */
export function pythonDockerfile(version: string): string {
  return [
    '# Generated by Updraft at synth: a Python task environment.',
    `FROM public.ecr.aws/docker/library/python:${version}-slim`,
    'ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1',
    // The whole folder: pip resolves the file's relative paths (find-links, -c, -r) beside it.
    'COPY env/ /opt/updraft/',
    'RUN pip install --no-cache-dir -r /opt/updraft/requirements.txt',
    'RUN useradd --create-home --uid 10001 updraft',
    'USER 10001',
    'WORKDIR /home/updraft',
    '',
  ].join('\n');
}

/** Removes a generated Docker context now, or when the process exits if the asset still reads it. */
function removeGenerated(dir: string, stagingDisabled: unknown): void {
  const remove = () => rmSync(dir, { recursive: true, force: true });
  if (stagingDisabled) process.once('exit', remove);
  else remove();
}
