/**
 * CDK app for test/cdk/task-environments.test.ts's `cdk synth` run: ContainerTasks plus the task
 * environments of a bundle (UPDRAFT_TEST_BUNDLE_DIR) built from test/fixtures/environments-dags,
 * a role granted to run them, and the cdk-nag plugin (a finding fails the synth).
 */
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readBundleEnvironments } from '../../lib/bundle-environments';
import { ContainerTasks } from '../../lib/container-tasks';
import { PROJECT_ROOT } from '../../lib/lambda-function';
import { TaskEnvironments } from '../../lib/task-environments';

const bundleDir = process.env.UPDRAFT_TEST_BUNDLE_DIR;
if (!bundleDir) throw new Error('set UPDRAFT_TEST_BUNDLE_DIR to a bundle folder (manifest.json + envs/)');
const app = new App();
const stack = new Stack(app, 'TaskEnvironmentsCli');
const vpc = new ec2.Vpc(stack, 'Vpc', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
});
Validations.of(vpc).acknowledge({
  id: 'AwsSolutions-VPC7',
  reason: 'Test fixture VPC of the task-environments synth test; the Updraft VPCs have flow logs',
});
const containerTasks = new ContainerTasks(stack, 'ContainerTasks', {
  vpc,
  subnets: { subnetType: ec2.SubnetType.PUBLIC },
  assignPublicIp: true,
  logRetention: logs.RetentionDays.ONE_WEEK,
});
const environments = new TaskEnvironments(stack, 'TaskEnvironments', {
  containerTasks,
  environments: readBundleEnvironments(bundleDir).map((e) => e.spec),
  bundleDir,
  dagsFolder: join(PROJECT_ROOT, 'test', 'fixtures', 'environments-dags'),
});
const runner = new iam.Role(stack, 'Runner', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
environments.grantRun(runner);
environments.grantReadLogs(runner);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
