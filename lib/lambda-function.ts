import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: Lambda entries live in `<root>/functions/`, the lock file at the root. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Options shared by the scheduler, worker and api functions. */
export interface UpdraftFunctionProps {
  /** Entry file relative to the project root, e.g. `functions/worker.ts`. */
  readonly entry: string;
  /** Human-readable purpose, shown in the Lambda console. */
  readonly description: string;
  /** Environment variables (names from `functions/runtime/env-keys.ts`). */
  readonly environment: Record<string, string>;
  /** Function timeout. */
  readonly timeout: Duration;
  /** Memory in MiB. */
  readonly memorySize: number;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** Reserved concurrency. @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** VPC placement. @default - outside any VPC */
  readonly network?: FunctionNetwork;
}

/** Where a function runs inside a VPC. */
export interface FunctionNetwork {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Its subnets (private with egress: the functions call AWS APIs). */
  readonly subnets: ec2.SubnetSelection;
  /** The functions' security group (no inbound rules). */
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * A Node 22 / ARM64 function bundled by NodejsFunction with the local esbuild (no Docker), with
 * its own log group and a role that has no managed policy: the only grant it starts with is
 * writing to that log group.
 *
 * The AWS SDK v3 is bundled, not taken from the runtime: the code then runs the exact SDK version
 * the tests ran against (the runtime's copy changes under us), and tree-shaking keeps it small.
 */
export class UpdraftFunction extends Construct {
  /** The Lambda function. */
  readonly function: NodejsFunction;
  /** Its execution role. */
  readonly role: iam.Role;
  /** Its log group (retention set; destroyed with the stack). */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: UpdraftFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      ...(props.network && {
        vpc: props.network.vpc,
        vpcSubnets: props.network.subnets,
        securityGroups: [props.network.securityGroup],
      }),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.EXTERNAL,
        mainFields: ['module', 'main'],
        // Some bundled dependencies are CommonJS and call require(); give ESM output one.
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        externalModules: [],
      },
    });
    this.logGroup.grantWrite(this.role);
    if (props.network) this.grantNetworkInterfaces(props.network, props.entry);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `nodejs22.x is the runtime ${props.entry} is built (target node22) and tested for; move with the runtime config, not implicitly`,
    });
  }

  /**
   * What Lambda needs to attach the function to the VPC (AWSLambdaVPCAccessExecutionRole, as an
   * inline policy scoped to this account's network interfaces and the function's subnets and group).
   */
  private grantNetworkInterfaces(network: FunctionNetwork, entry: string): void {
    const stack = Stack.of(this);
    const enis = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
    const subnets = network.vpc
      .selectSubnets(network.subnets)
      .subnetIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id }));
    const group = stack.formatArn({
      service: 'ec2',
      resource: 'security-group',
      resourceName: network.securityGroup.securityGroupId,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface'],
        resources: [enis, ...subnets, group],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: [enis],
      }),
    );
    // Describe* actions support no resource-level permissions: `*` is the only valid resource.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets (which Lambda needs to place ${entry} in the VPC) support no resource-level permissions; no other action of this role has a * resource`,
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      reason:
        'Lambda creates and deletes the hyperplane network interfaces of a VPC function with ids it picks at run time; the grant is limited to network interfaces in this account and region',
    });
  }
}
