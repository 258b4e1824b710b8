import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * cdk-nag acknowledgments written next to the grant that causes them, so each one names the
 * exact finding (`AwsSolutions-IAM5[Resource::…]`) and says why that scope is the narrowest.
 */

/** The `<LogicalId.Arn>` text cdk-nag uses for a GetAtt Arn in a finding id. */
export function nagArnRef(resource: CfnResource): string {
  const stack = Stack.of(resource);
  return `<${stack.resolve(stack.getLogicalId(resource))}.Arn>`;
}

/** The `<LogicalId>` text cdk-nag uses for a Ref in a finding id. */
export function nagRef(resource: CfnResource): string {
  const stack = Stack.of(resource);
  return `<${stack.resolve(stack.getLogicalId(resource))}>`;
}

/** Acknowledges one IAM5 wildcard-resource finding on the grantee's policy (when it is a construct). */
export function acknowledgeWildcardResource(grantee: iam.IGrantable, resource: string, reason: string): void {
  const principal = grantee.grantPrincipal;
  if (!Construct.isConstruct(principal)) return;
  Validations.of(principal).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
}
