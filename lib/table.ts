import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Key attributes and indexes of the run-state table. They mirror
 * `functions/adapters/aws/dynamo/table.ts` (lib/ may not import it); test/cdk compares the two.
 */
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  indexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  ],
} as const;

/** Item-level actions the runtime uses (no Scan, no table management, no streams). */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/** Props of {@link RunStateTable}. */
export interface RunStateTableProps {
  /** What happens to the table when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Point-in-time recovery. @default true */
  readonly pointInTimeRecovery?: boolean;
  /** Deletion protection. @default false (so a test stage can be torn down) */
  readonly deletionProtection?: boolean;
}

/** The single DynamoDB table of run state (design §5): on demand, PITR, AWS-owned-key encryption. */
export class RunStateTable extends Construct {
  /** The table. */
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: RunStateTableProps = {}) {
    super(scope, id);
    const string = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: string(TABLE_KEYS.partitionKey),
      sortKey: string(TABLE_KEYS.sortKey),
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      deletionProtection: props.deletionProtection ?? false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      globalSecondaryIndexes: TABLE_KEYS.indexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      })),
    });
  }

  /** Item reads and conditional writes on the table and its indexes: what every function needs. */
  grantRunState(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...READ_ACTIONS, ...WRITE_ACTIONS],
      resourceArns: this.arns(),
    });
  }

  /** The table and each of its indexes by name (no `index/*` wildcard). */
  private arns(): string[] {
    return [
      this.table.tableArn,
      ...TABLE_KEYS.indexes.map((i) => `${this.table.tableArn}/index/${i.indexName}`),
    ];
  }

  /** Item reads only (dashboards, read-only tools). */
  grantReadRunState(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: READ_ACTIONS,
      resourceArns: this.arns(),
    });
  }
}
