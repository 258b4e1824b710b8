import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../functions/runtime/env-keys';
import { readBundleEnvironments, type TaskEnvironmentSpec } from '../../lib/bundle-environments';
import { ContainerTasks } from '../../lib/container-tasks';
import { buildDagBundle } from '../../lib/dag-bundle';
import { PROJECT_ROOT } from '../../lib/lambda-function';
import {
  TASK_CONTAINER_NAME,
  TASK_LOG_STREAM_PREFIX,
  TaskEnvironments,
  type TaskEnvironmentsProps,
} from '../../lib/task-environments';
import type { UpdraftProps } from '../../lib/updraft';
import { actionsOf, type Json, logicalId, resourcesOf, statementsOfRole, synthStack } from './synth-helper';

// The bundle build of environments lands separately: Updraft gets a hand-written bundle here.
vi.mock(import('../../lib/dag-bundle'), async (original) => ({
  ...(await original()),
  buildDagBundle: vi.fn(),
}));

const DAGS = join(PROJECT_ROOT, 'test', 'fixtures', 'environments-dags');
const HASH = { pandas: 'a1b2c3d4e5f60718', tool: '0f1e2d3c4b5a6978', alpine: '9a8b7c6d5e4f3021' };
const ENVIRONMENTS: TaskEnvironmentSpec[] = [
  {
    kind: 'python',
    name: 'pandas2',
    python: '3.12',
    requirements: 'envs/pandas2/requirements.txt',
    hash: HASH.pandas,
  },
  { kind: 'image', name: 'tool', directory: 'images/tool', hash: HASH.tool },
  { kind: 'image', name: 'alpine', uri: 'public.ecr.aws/docker/library/alpine:3.20', hash: HASH.alpine },
];

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temp.push(dir);
  return dir;
}

/** A built bundle as `updraft dags build` lays it out: manifest.json + envs/<hash>/ (the requirements folder). */
function writeBundle(dags: { dagId: string; environments?: unknown }[]): string {
  const dir = tempDir('updraft-env-bundle-');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, version: 'envtest', dags }));
  for (const env of dags.flatMap((d) => (Array.isArray(d.environments) ? d.environments : [])))
    if (env.kind === 'python') {
      cpSync(dirname(join(DAGS, env.requirements)), join(dir, 'envs', env.hash), { recursive: true });
    }
  return dir;
}

/** A stack of ContainerTasks + TaskEnvironments + one role granted to run them. */
function synthEnvironments(environments: TaskEnvironmentSpec[], props: Partial<TaskEnvironmentsProps> = {}) {
  const outdir = tempDir('updraft-env-synth-');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Envs');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const containerTasks = new ContainerTasks(stack, 'ContainerTasks', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PUBLIC },
    assignPublicIp: true,
    logRetention: logs.RetentionDays.ONE_WEEK,
  });
  const taskEnvironments = new TaskEnvironments(stack, 'TaskEnvironments', {
    containerTasks,
    environments,
    bundleDir: writeBundle([{ dagId: 'etl', environments }]),
    dagsFolder: DAGS,
    ...props,
  });
  const runner = new iam.Role(stack, 'Runner', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  taskEnvironments.grantRun(runner);
  taskEnvironments.grantReadLogs(runner);
  return { app, stack, outdir, taskEnvironments, template: Template.fromStack(stack) };
}

describe('TaskEnvironments: one Fargate task definition per environment', () => {
  // A second name for the pandas content: same hash, so the same task definition.
  const { app, stack, outdir, taskEnvironments, template } = synthEnvironments([
    ...ENVIRONMENTS,
    { ...ENVIRONMENTS[0]!, name: 'pandas-again' },
  ]);
  const assembly = app.synth();
  const resources = template.toJSON().Resources as Record<string, Json>;
  const definition = (hash: string) =>
    logicalId(template, 'AWS::ECS::TaskDefinition', `TaskEnvironmentsEnv${hash}`);
  const container = (hash: string) => resources[definition(hash)].Properties.ContainerDefinitions[0];
  const assetsFile = JSON.parse(readFileSync(join(outdir, 'Envs.assets.json'), 'utf8'));
  const imageAssets = Object.values(assetsFile.dockerImages ?? {}) as Json[];
  const assetOf = (hash: string) => {
    const tag = container(hash).Image['Fn::Sub'].split(':').pop();
    return assetsFile.dockerImages[tag];
  };

  it('creates three task definitions (deduplicated by hash), 256 CPU / 512 MiB, X86_64 Linux, Updraft roles', () => {
    template.resourceCountIs('AWS::ECS::TaskDefinition', 3);
    expect([...taskEnvironments.taskDefinitions.keys()].sort()).toEqual(Object.values(HASH).sort());
    for (const hash of Object.values(HASH))
      expect(resources[definition(hash)].Properties).toMatchObject({
        Cpu: '256',
        Memory: '512',
        NetworkMode: 'awsvpc',
        RequiresCompatibilities: ['FARGATE'],
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
        ExecutionRoleArn: {
          'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'ContainerTasksExecutionRole'), 'Arn'],
        },
        TaskRoleArn: {
          'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'ContainerTasksTaskRole'), 'Arn'],
        },
      });
  });

  it('has one container named task, logging to the container log group with the updraft prefix', () => {
    expect(TASK_CONTAINER_NAME).toBe('task');
    expect(TASK_LOG_STREAM_PREFIX).toBe('updraft');
    for (const hash of Object.values(HASH)) {
      expect(resources[definition(hash)].Properties.ContainerDefinitions).toHaveLength(1);
      expect(container(hash)).toMatchObject({
        Name: 'task',
        Essential: true,
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: {
            'awslogs-group': { Ref: logicalId(template, 'AWS::Logs::LogGroup', 'ContainerTasksLogs') },
            'awslogs-stream-prefix': 'updraft',
          },
        },
      });
      expect(container(hash).Environment).toBeUndefined();
    }
  });

  it('pulls a uri image as is and builds the other two from docker image assets (staged, not built)', () => {
    expect(container(HASH.alpine).Image).toBe('public.ecr.aws/docker/library/alpine:3.20');
    for (const hash of [HASH.pandas, HASH.tool])
      expect(container(hash).Image['Fn::Sub']).toMatch(/cdk-hnb659fds-container-assets-.*:[0-9a-f]{64}$/);
    expect(imageAssets).toHaveLength(2);
    for (const asset of imageAssets) expect(asset.source.platform).toBe('linux/amd64');
    // The cloud assembly's asset manifest of the stack lists the same two images.
    const manifests = assembly
      .getStackArtifact(stack.artifactId)
      .dependencies.filter((a) => a instanceof cxapi.AssetManifestArtifact);
    expect(manifests.flatMap((m) => Object.keys(m.contents.dockerImages ?? {}))).toHaveLength(2);
  });

  it('generates the Python environment image: python:3.12-slim, the bundle requirements folder, pip install, non-root', () => {
    const dir = join(outdir, assetOf(HASH.pandas).source.directory);
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('FROM public.ecr.aws/docker/library/python:3.12-slim\n');
    expect(dockerfile).toContain('COPY env/ /opt/updraft/\n');
    expect(dockerfile).toContain('RUN pip install --no-cache-dir -r /opt/updraft/requirements.txt\n');
    expect(dockerfile).toMatch(/\nUSER 10001\n/);
    // The requirements file and what it names relative to itself (-c constraints.txt).
    expect(readdirSync(join(dir, 'env')).sort()).toEqual(['constraints.txt', 'requirements.txt']);
    for (const file of ['constraints.txt', 'requirements.txt'])
      expect(readFileSync(join(dir, 'env', file), 'utf8')).toBe(
        readFileSync(join(DAGS, 'envs/pandas2', file), 'utf8'),
      );
  });

  it('builds an image directory from its own Dockerfile (relative to the DAGs folder)', () => {
    const dir = join(outdir, assetOf(HASH.tool).source.directory);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(
      readFileSync(join(DAGS, 'images/tool/Dockerfile'), 'utf8'),
    );
  });

  it('keeps ids and image hashes when an environment is renamed (same hash, same content)', () => {
    const renamed = synthEnvironments(ENVIRONMENTS.map((env) => ({ ...env, name: `${env.name}-renamed` })));
    expect(Object.keys(renamed.template.findResources('AWS::ECS::TaskDefinition')).sort()).toEqual(
      Object.values(HASH).map(definition).sort(),
    );
    const images = (t: Template) =>
      resourcesOf(t, 'AWS::ECS::TaskDefinition').map(([id, r]) => [
        id,
        r.Properties.ContainerDefinitions[0].Image,
      ]);
    expect(images(renamed.template)).toEqual(images(template));
  });

  it('maps each hash to its task definition ARN in UPDRAFT_ECS_TASK_DEFINITIONS', () => {
    const env = taskEnvironments.environment();
    expect(Object.keys(env).sort()).toEqual(
      [ENV.ecsContainerName, ENV.ecsLogStreamPrefix, ENV.ecsTaskDefinitions].sort(),
    );
    expect(env[ENV.ecsContainerName]).toBe('task');
    expect(env[ENV.ecsLogStreamPrefix]).toBe('updraft');
    // Rendered as CloudFormation would: each Ref (a task definition's ARN) replaced by its logical id.
    const [, parts] = stack.resolve(env[ENV.ecsTaskDefinitions])['Fn::Join'] as [string, Json[]];
    const json = parts.map((p) => (typeof p === 'string' ? p : `arn:${p.Ref}`)).join('');
    expect(JSON.parse(json)).toEqual(
      Object.fromEntries(Object.values(HASH).map((hash) => [hash, `arn:${definition(hash)}`])),
    );
  });

  it('grantRun: ecs:RunTask on exactly those task definitions in this cluster; PassRole to ECS tasks only', () => {
    const statements = statementsOfRole(template, 'Runner');
    expect(actionsOf(statements).sort()).toEqual([
      'ecs:RunTask',
      'ecs:TagResource',
      'iam:PassRole',
      'logs:GetLogEvents',
    ]);
    const cluster = logicalId(template, 'AWS::ECS::Cluster', 'ContainerTasksCluster');
    expect(statements.find((s) => s.Action === 'ecs:RunTask')).toEqual({
      Action: 'ecs:RunTask',
      Effect: 'Allow',
      Resource: Object.values(HASH).map((hash) => ({ Ref: definition(hash) })),
      Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [cluster, 'Arn'] } } },
    });
    expect(statements.find((s) => s.Action === 'iam:PassRole')).toEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: ['ContainerTasksExecutionRole', 'ContainerTasksTaskRole'].map((role) => ({
        'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', role), 'Arn'],
      })),
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
  });

  it('grantRun: ecs:TagResource only while RunTask creates a task of this cluster (propagated tags)', () => {
    const tag = statementsOfRole(template, 'Runner').find((s) => s.Action === 'ecs:TagResource');
    const cluster = logicalId(template, 'AWS::ECS::Cluster', 'ContainerTasksCluster');
    expect(tag.Condition).toEqual({ StringEquals: { 'ecs:CreateAction': 'RunTask' } });
    expect(tag.Resource['Fn::Join'][1].slice(-3)).toEqual([':task/', { Ref: cluster }, '/*']);
  });

  it('grantReadLogs: logs:GetLogEvents on the streams of the container log group only', () => {
    const read = statementsOfRole(template, 'Runner').find((s) => s.Action === 'logs:GetLogEvents');
    const logGroup = logicalId(template, 'AWS::Logs::LogGroup', 'ContainerTasksLogs');
    expect(JSON.stringify(read.Resource)).toBe(
      JSON.stringify({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':logs:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':log-group:',
            { Ref: logGroup },
            ':log-stream:*',
          ],
        ],
      }),
    );
  });
});

describe('TaskEnvironments: a bad environment fails the synth, naming it, the path and the fix', () => {
  const image = (directory: string): TaskEnvironmentSpec => ({
    kind: 'image',
    name: 'tool',
    directory,
    hash: 'h1',
  });

  it('rejects an image directory without a Dockerfile', () => {
    expect(() => synthEnvironments([image('images/no-dockerfile')])).toThrow(
      `Updraft: task environment "tool": no Dockerfile in image directory ${join(DAGS, 'images/no-dockerfile')}; add ${join(DAGS, 'images/no-dockerfile/Dockerfile')} or declare the image by uri`,
    );
  });

  it('rejects a missing image directory and one outside the DAGs folder', () => {
    expect(() => synthEnvironments([image('images/missing')])).toThrow(
      new RegExp(
        `task environment "tool": image directory ${join(DAGS, 'images/missing')} does not exist; create it`,
      ),
    );
    expect(() => synthEnvironments([image('../dags')])).toThrow(/must be a folder inside the DAGs folder/);
  });

  it('rejects an empty list and a hash that cannot be a construct id or folder name', () => {
    expect(() => synthEnvironments([])).toThrow('TaskEnvironments: no environments');
    expect(() => synthEnvironments([{ ...ENVIRONMENTS[2]!, hash: '../x' }])).toThrow(
      'TaskEnvironments: environment "alpine" has hash "../x"',
    );
  });

  it('rejects a Python environment whose requirements are not in the bundle, or a bad version', () => {
    const python = ENVIRONMENTS[0] as Extract<TaskEnvironmentSpec, { kind: 'python' }>;
    expect(() =>
      synthEnvironments([python], { bundleDir: writeBundle([{ dagId: 'etl', environments: [] }]) }),
    ).toThrow(/task environment "pandas2": the bundle has no .*requirements\.txt.*rebuild the bundle/);
    expect(() => synthEnvironments([{ ...python, python: '3.12; rm -rf /' }])).toThrow(
      /python "3.12; rm -rf \/" is not a Python 3 version/,
    );
  });
});

describe('readBundleEnvironments', () => {
  it('collects the environments of every DAG, deduplicated by hash with every name', () => {
    const dir = writeBundle([
      { dagId: 'a', environments: ENVIRONMENTS },
      { dagId: 'b' },
      { dagId: 'c', environments: [{ ...ENVIRONMENTS[1]!, name: 'tool-b' }] },
    ]);
    expect(readBundleEnvironments(dir)).toEqual([
      { spec: ENVIRONMENTS[0], names: ['pandas2'] },
      { spec: ENVIRONMENTS[1], names: ['tool', 'tool-b'] },
      { spec: ENVIRONMENTS[2], names: ['alpine'] },
    ]);
  });

  it('fails on a malformed manifest with the file and the field', () => {
    const dir = tempDir('updraft-env-bad-');
    const file = join(dir, 'manifest.json');
    const read = (content: string) => {
      writeFileSync(file, content);
      return () => readBundleEnvironments(dir);
    };
    expect(() => readBundleEnvironments(join(dir, 'none'))).toThrow(/no manifest.json in/);
    expect(read('{')).toThrow(`DAG bundle: ${file} is not JSON`);
    expect(read('{"dags": {}}')).toThrow(`DAG bundle: ${file} has no dags array`);
    expect(read('{"dags": [{"environments": {}}]}')).toThrow('dags[0].environments is not an array');
    const env = (e: object) => read(JSON.stringify({ dags: [{ environments: [e] }] }));
    expect(env({ kind: 'conda', name: 'x', hash: 'h' })).toThrow(
      /dags\[0\]\.environments\[0\]: kind must be "python" or "image"/,
    );
    expect(env({ kind: 'image', name: 'x', hash: 'h' })).toThrow(/exactly one of directory or uri/);
    expect(env({ kind: 'image', name: 'x', hash: 'h', uri: 'a', directory: 'b' })).toThrow(/exactly one/);
    expect(env({ kind: 'image', name: 'x', hash: '../h', uri: 'a' })).toThrow(/hash must be/);
    expect(env({ kind: 'python', name: 'x', hash: 'h', python: '3.12' })).toThrow(
      /requirements must be a non-empty string/,
    );
  });
});

describe('Updraft with a bundle that declares environments (dagsPath)', () => {
  const bundleDir = writeBundle([{ dagId: 'etl', environments: ENVIRONMENTS }]);
  const synth = (updraft: UpdraftProps) => {
    vi.mocked(buildDagBundle).mockReturnValue({ version: 'envtest', dir: bundleDir, folder: DAGS });
    return synthStack({ updraft: { dagsPath: 'environments-dags', ...updraft } });
  };

  it('turns container tasks on by itself when the DAGs declare environments', () => {
    synth({}).template.resourceCountIs('AWS::ECS::TaskDefinition', 3);
  });

  it('fails with containerTasks off, listing the environments and the fix', () => {
    expect(() => synth({ containerTasks: false })).toThrow(
      `Updraft: the DAG bundle of ${DAGS} (dagsPath) declares environments "alpine", "pandas2", "tool" for container/Python tasks, which run on ECS Fargate; set \`containerTasks: true\` (context \`updraft:containerTasks=true\`) or remove those tasks`,
    );
  });

  describe('with containerTasks', () => {
    const { stack, template } = synth({ containerTasks: true });
    const resources = template.toJSON().Resources as Record<string, Json>;
    const envOf = (name: string) =>
      resources[logicalId(template, 'AWS::Lambda::Function', `Orchestrator${name}HandlerFunction`)].Properties
        .Environment.Variables;
    const workers = ['Worker1024', 'Worker4096', 'Worker10240'];

    it('creates the task definitions and gives scheduler and workers (not the api) their variables', () => {
      template.resourceCountIs('AWS::ECS::TaskDefinition', 3);
      for (const fn of ['Scheduler', ...workers]) {
        expect(envOf(fn)[ENV.ecsContainerName]).toBe('task');
        expect(envOf(fn)[ENV.ecsLogStreamPrefix]).toBe('updraft');
        expect(JSON.stringify(envOf(fn)[ENV.ecsTaskDefinitions])).toContain(HASH.pandas);
      }
      expect(envOf('Api')[ENV.ecsTaskDefinitions]).toBeUndefined();
    });

    it('lets every worker run them and read their logs; the scheduler reads logs only', () => {
      for (const fn of workers)
        expect(actionsOf(statementsOfRole(template, `Orchestrator${fn}HandlerRole`))).toEqual(
          expect.arrayContaining([
            'ecs:RunTask',
            'ecs:StopTask',
            'ecs:TagResource',
            'iam:PassRole',
            'logs:GetLogEvents',
          ]),
        );
      const schedulerStatements = statementsOfRole(template, 'OrchestratorSchedulerHandlerRole');
      const scheduler = actionsOf(schedulerStatements);
      // It ends container attempts: reads their output, stops timed-out tasks, writes the task log and XCom.
      expect(scheduler).toEqual(
        expect.arrayContaining(['logs:GetLogEvents', 'ecs:StopTask', 's3:PutObject']),
      );
      const puts = schedulerStatements.filter((st) => [st.Action].flat().includes('s3:PutObject'));
      expect(JSON.stringify(puts)).toMatch(/logs\/\*/);
      expect(JSON.stringify(puts)).toMatch(/xcom\/\*/);
      expect(scheduler).not.toContain('ecs:RunTask');
      expect(scheduler).not.toContain('iam:PassRole');
      expect(scheduler).not.toContain('ecs:TagResource');
      const api = actionsOf(statementsOfRole(template, 'OrchestratorApiHandlerRole'));
      expect(api.filter((a) => /^(ecs|logs:Get|iam):/.test(a))).toEqual([]);
    });

    it('reports no unacknowledged cdk-nag finding', () => {
      const report = new AwsSolutionsChecks(stack).validateScope(stack);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
      );
      expect(findings).toEqual([]);
    });
  });

  it("gives a DAG's container tasks its own role: named to the workers, which may pass exactly it", () => {
    const roleArn = 'arn:aws:iam::111122223333:role/etl-containers';
    const role = iam.Role.fromRoleArn(new Stack(new App(), 'Roles'), 'EtlContainers', roleArn);
    const { template } = synth({ containerTasks: true, containerTaskRoles: { etl: role } });
    const resources = template.toJSON().Resources as Record<string, Json>;
    const worker =
      resources[logicalId(template, 'AWS::Lambda::Function', 'OrchestratorWorker1024HandlerFunction')];
    expect(JSON.parse(worker.Properties.Environment.Variables[ENV.ecsTaskRoles])).toEqual({ etl: roleArn });
    const pass = statementsOfRole(template, 'OrchestratorWorker1024HandlerRole').find((st) =>
      [st.Action].flat().includes('iam:PassRole'),
    );
    expect(JSON.stringify(pass?.Resource)).toContain(roleArn);
  });

  it('reports no unacknowledged cdk-nag finding in a created VPC either', () => {
    const { stack } = synth({ containerTasks: true, createVpc: true, workerMemoryClasses: [2048] });
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('needs the log-stream and task-tagging acknowledgments (the checks see the grants)', () => {
    const ignore = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {});
    const { stack } = synth({ containerTasks: true, workerMemoryClasses: [2048] });
    ignore.mockRestore();
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
    );
    expect(findings).toContainEqual(
      expect.stringMatching(
        /^AwsSolutions-IAM5\[Resource::.*:task\/<OrchestratorContainerTasksCluster\w+>\/\*\] Updraft\/Orchestrator\/Worker2048\/Handler\/Role\//,
      ),
    );
    for (const role of ['Scheduler', 'Worker2048'])
      expect(findings).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^AwsSolutions-IAM5\\[Resource::.*:log-group:<OrchestratorContainerTasksLogs\\w+>:log-stream:\\*\\] Updraft/Orchestrator/${role}/Handler/Role/`,
          ),
        ),
      );
  });
});

describe('npx cdk synth of an app with task environments (no Docker, cdk-nag on)', () => {
  it('synthesizes and lists the two docker image assets', async () => {
    const out = tempDir('updraft-env-cli-');
    const bundleDir = writeBundle([{ dagId: 'etl', environments: ENVIRONMENTS }]);
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
    Object.assign(env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(out, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(out, 'none'),
      CDK_DISABLE_VERSION_CHECK: '1',
      DOCKER_HOST: 'unix:///nonexistent/docker.sock', // synth must not talk to Docker
      UPDRAFT_TEST_BUNDLE_DIR: bundleDir,
    });
    await promisify(execFile)(
      join(PROJECT_ROOT, 'node_modules/.bin/cdk'),
      ['synth', '--quiet', '--no-notices', '-o', out, '--app', 'npx tsx test/cdk/task-environments.app.ts'],
      { env, cwd: PROJECT_ROOT, timeout: 110_000 },
    );
    const assets = JSON.parse(readFileSync(join(out, 'TaskEnvironmentsCli.assets.json'), 'utf8'));
    const images = Object.values(assets.dockerImages) as Json[];
    expect(images.map((i) => i.displayName).sort()).toEqual(
      [HASH.pandas, HASH.tool].map((hash) => `TaskEnvironments/Env${hash}/task/AssetImage`).sort(),
    );
    const template = JSON.parse(readFileSync(join(out, 'TaskEnvironmentsCli.template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, Json>).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::ECS::TaskDefinition')).toHaveLength(3);
  }, 120_000);
});
