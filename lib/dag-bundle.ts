import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './lambda-function';
import { nagArnRef } from './nag';
import { BUCKET_PREFIX } from './storage';

/** A bundle built by `updraft dags build`. */
export interface BuiltDagBundle {
  /** Content-hash version (`manifest.json`'s `version`). */
  readonly version: string;
  /** Folder holding `manifest.json` and `code/`. */
  readonly dir: string;
  /** The DAGs folder it was built from, absolute (environments' paths are relative to it). */
  readonly folder: string;
}

/** Builds per absolute folder, so one process (a test run) bundles each DAG folder once. */
const builds = new Map<string, BuiltDagBundle>();

/**
 * Runs `updraft dags build --json` on `dagsPath` (relative to the project root) in a child
 * process — lib/ may not import scripts/ — and returns the bundle. A folder that does not build
 * throws with the CLI's own report (file, DAG, task), so `cdk synth` fails before any deploy.
 */
export function buildDagBundle(dagsPath: string): BuiltDagBundle {
  const folder = isAbsolute(dagsPath) ? dagsPath : resolve(PROJECT_ROOT, dagsPath);
  const cached = builds.get(folder);
  if (cached) return cached;
  if (!existsSync(folder))
    throw new Error(`dagsPath: folder ${folder} does not exist (got ${JSON.stringify(dagsPath)})`);
  const out = mkdtempSync(join(tmpdir(), 'updraft-dags-'));
  // The asset is copied into cdk.out during synth; the build folder is not needed after the process.
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  const cli = spawnSync(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
    [
      join(PROJECT_ROOT, 'bin', 'updraft.ts'),
      'dags',
      'build',
      '--dags-folder',
      folder,
      '--out',
      out,
      '--json',
    ],
    { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  if (cli.status !== 0) {
    const why = cli.error ? cli.error.message : `exit ${cli.status ?? cli.signal}`;
    throw new Error(
      `dagsPath ${JSON.stringify(dagsPath)}: \`updraft dags build\` failed (${why}); nothing will be deployed:\n${cli.stderr.trim()}`,
    );
  }
  let version: unknown;
  try {
    version = (JSON.parse(cli.stdout) as { version?: unknown }).version;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string' || !/^[\w.-]+$/.test(version))
    throw new Error(
      `dagsPath: \`updraft dags build --json\` printed no bundle version: ${cli.stdout.slice(0, 200)}`,
    );
  const built = { version, dir: join(out, version), folder };
  if (!existsSync(join(built.dir, 'manifest.json')))
    throw new Error(`dagsPath: \`updraft dags build\` wrote no ${built.dir}/manifest.json`);
  builds.set(folder, built);
  return built;
}

/** Props of {@link DagBundleDeployment}. */
export interface DagBundleDeploymentProps {
  /** The Updraft bucket. */
  readonly bucket: s3.IBucket;
  /** Folder of `*.dag.ts` files, relative to the project root (or absolute). */
  readonly dagsPath: string;
  /** Retention of the upload function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** The bundle already built from `dagsPath`. @default - built here with {@link buildDagBundle} */
  readonly built?: BuiltDagBundle;
}

/**
 * Publishes the DAG folder at deploy time, in the layout `updraft dags upload` writes: first the
 * immutable `bundles/<version>/…`, then (depending on it) `bundles/current.json` and an empty
 * `bundles/import-errors.json`, so the pointer never names a version whose files are missing.
 */
export class DagBundleDeployment extends Construct {
  /** The bundle version deployed. */
  readonly version: string;
  /** Uploads `bundles/<version>/`. */
  readonly files: s3deploy.BucketDeployment;
  /** Switches `bundles/current.json` (after `files`). */
  readonly pointer: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: DagBundleDeploymentProps) {
    super(scope, id);
    const built = props.built ?? buildDagBundle(props.dagsPath);
    this.version = built.version;
    // Both deployments share aws-cdk-lib's singleton upload function, so one log group serves them.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // prune: false and retainOnDelete: true everywhere. Runs pin the version they started with,
    // so older versions must survive a new deploy (the bucket's lifecycle expires replaced
    // objects); and a stack update that changes the prefix must not delete the previous version.
    this.files = new s3deploy.BucketDeployment(this, 'Files', {
      destinationBucket: props.bucket,
      destinationKeyPrefix: `${BUCKET_PREFIX.bundles}${built.version}/`,
      sources: [s3deploy.Source.asset(built.dir)],
      prune: false,
      retainOnDelete: true,
      logGroup,
    });
    this.pointer = new s3deploy.BucketDeployment(this, 'Pointer', {
      destinationBucket: props.bucket,
      destinationKeyPrefix: BUCKET_PREFIX.bundles,
      sources: [
        s3deploy.Source.jsonData('current.json', { version: built.version }),
        s3deploy.Source.jsonData('import-errors.json', { errors: [] }),
      ],
      prune: false,
      retainOnDelete: true,
      logGroup,
    });
    this.pointer.node.addDependency(this.files);
    this.acknowledgeHandler(props.bucket);
  }

  /** cdk-nag findings on aws-cdk-lib's shared BucketDeployment function and its role. */
  private acknowledgeHandler(bucket: s3.IBucket): void {
    const role = this.files.handlerRole;
    const fn = role.node.scope;
    if (!fn || !Construct.isConstruct(role)) return;
    const reason = (what: string) =>
      `aws-cdk-lib's BucketDeployment custom resource (deploy-time DAG bundle upload) ${what}; it runs only during CloudFormation deploys`;
    const ack = (target: Construct, id: string, what: string) =>
      Validations.of(target).acknowledge({ id, reason: reason(what) });
    ack(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'is created by aws-cdk-lib with the basic execution managed policy (its own log group only in practice)',
    );
    for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'])
      ack(
        role,
        `AwsSolutions-IAM5[Action::${action}]`,
        `gets ${action} from aws-cdk-lib's grantRead/grantWrite on the asset and Updraft buckets, which the construct does not let us narrow`,
      );
    const bucketArn = nagArnRef(bucket.node.defaultChild as s3.CfnBucket);
    ack(
      role,
      `AwsSolutions-IAM5[Resource::${bucketArn}/*]`,
      'writes bundle objects whose keys (bundles/<version>/…) come from the build; scope is this bucket',
    );
    ack(
      role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      'reads the bundle zip from the CDK bootstrap asset bucket, whose keys are content hashes',
    );
    ack(
      fn as Construct,
      'AwsSolutions-L1',
      'runs on the Python runtime aws-cdk-lib pins for it; it moves with aws-cdk-lib upgrades',
    );
  }
}
