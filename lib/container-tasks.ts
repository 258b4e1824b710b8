import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../functions/runtime/env-keys';
import { acknowledgeWildcardResource, nagRef } from './nag';

/** Props of {@link ContainerTasks}. */
export interface ContainerTasksProps {
  /** The VPC the Fargate tasks run in. */
  readonly vpc: ec2.IVpc;
  /** The tasks' subnets. */
  readonly subnets: ec2.SubnetSelection;
  /** Give tasks a public IP (public subnets without NAT: the only way to pull images). */
  readonly assignPublicIp: boolean;
  /** Retention of the container log group. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Fargate for container tasks: a cluster (Container Insights on), the task execution role (pull
 * from this account's ECR, write to the container log group), an empty default task role, an
 * egress-only security group and the rule that ticks the scheduler when a task stops.
 *
 * Task definitions, `ecs:RunTask` and `iam:PassRole` come with the bundle's environments
 * (`TaskEnvironments`, task-environments.ts); without any, nothing may run tasks.
 */
export class ContainerTasks extends Construct {
  /** The ECS cluster. */
  readonly cluster: ecs.Cluster;
  /** Role ECS uses to pull images and ship container logs. */
  readonly executionRole: iam.Role;
  /** Default role of task containers: no permissions (per-DAG roles come with issue 8). */
  readonly taskRole: iam.Role;
  /** Container output (stdout/stderr of task containers). */
  readonly logGroup: logs.LogGroup;
  /** Task security group: no inbound rules. */
  readonly securityGroup: ec2.SecurityGroup;
  /** `ECS Task State Change` (STOPPED, this cluster) → scheduler. */
  readonly taskStoppedRule: events.Rule;
  private readonly props: ContainerTasksProps;

  constructor(scope: Construct, id: string, props: ContainerTasksProps) {
    super(scope, id);
    this.props = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Updraft Fargate task execution role: pull images from ECR, write container logs',
    });
    this.grantPullImages(this.executionRole);
    this.logGroup.grantWrite(this.executionRole);
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Updraft default container task role: no permissions',
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Updraft container tasks: no inbound; outbound for images, logs and task targets',
      allowAllOutbound: true,
    });
    this.taskStoppedRule = new events.Rule(this, 'TaskStopped', {
      description: 'Tick the Updraft scheduler when one of its container tasks stops',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [this.cluster.clusterArn], lastStatus: ['STOPPED'] },
      },
    });
  }

  /**
   * Ticks `scheduler` when a task of this cluster stops. No retries and a short event age: a
   * missed event is harmless, the next tick's DescribeTasks fallback finds stopped tasks.
   */
  tickOnTaskStopped(scheduler: lambda.IFunction, maxEventAge: Duration = Duration.seconds(60)): void {
    this.taskStoppedRule.addTarget(new targets.LambdaFunction(scheduler, { retryAttempts: 0, maxEventAge }));
  }

  /** The `UPDRAFT_ECS_*` variables the scheduler and workers read. */
  environment(): Record<string, string> {
    return {
      [ENV.ecsCluster]: this.cluster.clusterArn,
      [ENV.ecsSubnets]: this.props.vpc.selectSubnets(this.props.subnets).subnetIds.join(','),
      [ENV.ecsSecurityGroups]: this.securityGroup.securityGroupId,
      [ENV.ecsAssignPublicIp]: this.props.assignPublicIp ? 'ENABLED' : 'DISABLED',
      [ENV.ecsExecutionRoleArn]: this.executionRole.roleArn,
      [ENV.ecsTaskRoleArn]: this.taskRole.roleArn,
      [ENV.ecsLogGroup]: this.logGroup.logGroupName,
    };
  }

  /** Lets the grantee read the state of tasks of the Updraft cluster (the tick's fallback for lost events). */
  grantDescribeTasks(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnTasks(grantee, 'ecs:DescribeTasks');
  }

  /**
   * Lets the grantee stop tasks of the Updraft cluster: a container attempt failed for its
   * execution timeout must not leave its task running (and billing).
   */
  grantStopTasks(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnTasks(grantee, 'ecs:StopTask');
  }

  /** One ECS action on the tasks of this cluster only (task ids are generated at start). */
  private grantOnTasks(grantee: iam.IGrantable, action: string): iam.Grant {
    const stack = Stack.of(this);
    const cfnCluster = this.cluster.node.defaultChild as ecs.CfnCluster;
    acknowledgeWildcardResource(
      grantee,
      `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${nagRef(cfnCluster)}/*`,
      `ECS task ids are generated when a task starts; the grant is ${action} only, on the tasks of the Updraft cluster (and conditioned on its ARN)`,
    );
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [action],
      resourceArns: [
        stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*` }),
      ],
      conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
    });
  }

  /** ECR pull from this account's repositories (images of container tasks). */
  private grantPullImages(role: iam.Role): void {
    // GetAuthorizationToken supports no resource-level permissions: `*` is its only valid resource.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        resources: [Stack.of(this).formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken supports no resource-level permissions; it is the only action of the task execution role with a * resource',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*]',
      reason:
        'Container tasks name their image per task in DAG code, so the repositories are not known at deploy time; pull actions only, on this account and region',
    });
  }
}
