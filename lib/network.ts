import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionNetwork } from './lambda-function';

/** Props of {@link UpdraftNetwork}. */
export interface UpdraftNetworkProps {
  /** An existing VPC for functions and tasks (its PRIVATE_WITH_EGRESS subnets). @default - see `create` */
  readonly vpc?: ec2.IVpc;
  /** Create a VPC (2 AZs, public + private subnets, 1 NAT, S3/DynamoDB endpoints) for functions and tasks. @default false */
  readonly create?: boolean;
  /** Whether Fargate tasks need somewhere to run even when the functions stay outside a VPC. */
  readonly containerTasks: boolean;
  /** Retention of the flow log group. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Where functions and Fargate tasks run:
 *
 * | props                           | VPC                                   | functions                 | tasks                       |
 * | ------------------------------- | ------------------------------------- | ------------------------- | --------------------------- |
 * | `vpc`                           | the given one                         | private subnets, own SG   | private subnets, no public IP |
 * | `create`                        | 2 AZs, 1 NAT, S3/DynamoDB endpoints   | private subnets, own SG   | private subnets, no public IP |
 * | neither, `containerTasks`       | 2 AZs, public subnets only, no NAT    | outside any VPC           | public subnets, public IP   |
 * | neither                         | none                                  | outside any VPC           | —                           |
 *
 * A public-only VPC costs nothing while idle (no NAT gateway); tasks reach ECR and CloudWatch
 * through their public IP, and their security group admits no inbound traffic.
 */
export class UpdraftNetwork extends Construct {
  /** The VPC, when there is one. */
  readonly vpc?: ec2.IVpc;
  /** Placement of the functions, or undefined when they run outside a VPC. */
  readonly functions?: FunctionNetwork;
  /** Subnets of the Fargate tasks (when there is a VPC). */
  readonly taskSubnets?: ec2.SubnetSelection;
  /** Whether Fargate tasks get a public IP (public subnets without NAT). */
  readonly taskPublicIp: boolean;

  constructor(scope: Construct, id: string, props: UpdraftNetworkProps) {
    super(scope, id);
    if (props.vpc && props.create)
      throw new Error('UpdraftNetwork: give either vpc or create (createVpc), not both');
    const privateSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    if (props.vpc || props.create) {
      this.vpc = props.vpc ?? this.createPrivateVpc(props.logRetention);
      this.taskSubnets = privateSubnets;
      this.taskPublicIp = false;
      this.functions = {
        vpc: this.vpc,
        subnets: privateSubnets,
        securityGroup: new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
          vpc: this.vpc,
          description: 'Updraft functions: no inbound; outbound to AWS APIs and task targets',
          allowAllOutbound: true,
        }),
      };
    } else if (props.containerTasks) {
      this.vpc = this.createPublicVpc(props.logRetention);
      this.taskSubnets = { subnetType: ec2.SubnetType.PUBLIC };
      this.taskPublicIp = true;
    } else {
      this.taskPublicIp = false;
    }
  }

  private createPrivateVpc(retention: logs.RetentionDays): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      // The hot path (table, bucket) skips the NAT gateway: no per-GB NAT charge for state and logs.
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.addFlowLogs(vpc, retention);
    return vpc;
  }

  private createPublicVpc(retention: logs.RetentionDays): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'TaskVpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    this.addFlowLogs(vpc, retention);
    return vpc;
  }

  private addFlowLogs(vpc: ec2.Vpc, retention: logs.RetentionDays): void {
    const logGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
  }
}
