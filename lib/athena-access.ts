import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag';

/** What `athenaQuery` tasks may use: Athena workgroups and the buckets their results go to. */
export interface AthenaAccessProps {
  /** Workgroup names the workers may run queries in (`primary` is Athena's default). */
  readonly workgroups: string[];
  /**
   * Buckets (ARNs) of query results (`outputLocation` or the workgroup's), read and written.
   * Buckets the queries read data from need their own grants.
   * @default - none: the workgroup's result bucket must be granted elsewhere
   */
  readonly resultBucketArns?: string[];
}

const GLUE_READ = [
  'glue:GetDatabase',
  'glue:GetDatabases',
  'glue:GetTable',
  'glue:GetTables',
  'glue:GetPartition',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
];

/**
 * Lets `grantee` run Athena queries in the given workgroups (start, poll, stop), read the Glue
 * Data Catalog they query, and read and write their result buckets.
 */
export function grantAthenaQueries(
  scope: Construct,
  grantee: iam.IGrantable,
  props: AthenaAccessProps,
): void {
  const stack = Stack.of(scope);
  if (props.workgroups.length === 0)
    throw new Error(
      'Updraft: athena.workgroups is empty; name at least one workgroup (Athena\'s default is "primary")',
    );
  for (const name of props.workgroups)
    if (!Token.isUnresolved(name) && !/^[A-Za-z0-9._-]{1,128}$/.test(name))
      throw new Error(
        `Updraft: athena.workgroups has an invalid name ${JSON.stringify(name)} (1-128 of A-Z a-z 0-9 . _ -)`,
      );
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
    resourceArns: props.workgroups.map((name) =>
      stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: name }),
    ),
  });
  const glue = (resource: string, resourceName?: string) =>
    stack.formatArn({
      service: 'glue',
      resource,
      ...(resourceName && { resourceName }),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  const glueResources = [glue('catalog'), glue('database', '*'), glue('table', '*/*')];
  for (const resource of ['database/*', 'table/*/*'])
    acknowledgeWildcardResource(
      grantee,
      `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:${resource}`,
      'Athena queries name their tables in SQL at run time; the grant is read-only Glue catalog access in this account and region',
    );
  iam.Grant.addToPrincipal({ grantee, actions: GLUE_READ, resourceArns: glueResources });
  const buckets = props.resultBucketArns ?? [];
  if (buckets.length === 0) return;
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetBucketLocation', 's3:ListBucket'],
    resourceArns: buckets,
  });
  for (const bucket of buckets)
    acknowledgeWildcardResource(
      grantee,
      `${bucket}/*`,
      'Athena writes each query result under a key it picks (<QueryExecutionId>.csv); the grant is on the configured result buckets only',
    );
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    resourceArns: buckets.map((arn) => `${arn}/*`),
  });
}
