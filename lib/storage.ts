import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource, nagArnRef } from './nag';

/** Key prefixes the runtime writes (see functions/adapters/aws/s3 and the XCom store). */
export const BUCKET_PREFIX = { bundles: 'bundles/', logs: 'logs/', xcom: 'xcom/' } as const;

/** Props of {@link UpdraftStorage}. */
export interface UpdraftStorageProps {
  /** Days after which task logs under `logs/` expire. @default 90 */
  readonly logRetentionDays?: number;
  /**
   * Days after which a replaced (noncurrent) object version under `bundles/` is deleted. Bundle
   * versions are immutable keys, so this removes old `current.json` pointers and overwritten files.
   * @default 30
   */
  readonly noncurrentBundleDays?: number;
  /** Days after which large XCom values under `xcom/` expire. @default 90 */
  readonly xcomRetentionDays?: number;
  /** What happens to the bucket when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** The bucket for DAG bundles, task logs and large XComs: SSE-S3, private, TLS only, versioned. */
export class UpdraftStorage extends Construct {
  /** The bucket. */
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: UpdraftStorageProps = {}) {
    super(scope, id);
    const days = (name: string, value: number) => {
      if (!Number.isInteger(value) || value < 1)
        throw new Error(`UpdraftStorage: ${name} must be a positive integer, got ${value}`);
      return Duration.days(value);
    };
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: false,
      lifecycleRules: [
        {
          id: 'expire-task-logs',
          prefix: BUCKET_PREFIX.logs,
          expiration: days('logRetentionDays', props.logRetentionDays ?? 90),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'expire-old-bundle-versions',
          prefix: BUCKET_PREFIX.bundles,
          noncurrentVersionExpiration: days('noncurrentBundleDays', props.noncurrentBundleDays ?? 30),
        },
        {
          id: 'expire-xcom-blobs',
          prefix: BUCKET_PREFIX.xcom,
          expiration: days('xcomRetentionDays', props.xcomRetentionDays ?? 90),
          noncurrentVersionExpiration: Duration.days(1),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs would need a second bucket for every deployment; access is IAM-only (no public access, TLS only) and CloudTrail data events can be enabled account-wide where required',
    });
  }

  /**
   * Lets the grantee read objects under `prefix` and list the bucket (without ListBucket a
   * missing key is a 403 instead of the 404 the runtime treats as "absent").
   */
  grantReadPrefix(grantee: iam.IGrantable, prefix: string): iam.Grant {
    this.acknowledgePrefix(grantee, prefix);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
    });
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }

  /** Lets the grantee write (PutObject only: no delete, no ACLs) under `prefix`. */
  grantPutPrefix(grantee: iam.IGrantable, prefix: string): iam.Grant {
    this.acknowledgePrefix(grantee, prefix);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: [this.bucket.arnForObjects(`${prefix}*`)],
    });
  }

  private acknowledgePrefix(grantee: iam.IGrantable, prefix: string): void {
    const arn = nagArnRef(this.bucket.node.defaultChild as s3.CfnBucket);
    acknowledgeWildcardResource(
      grantee,
      `${arn}/${prefix}*`,
      `Object keys under ${prefix} are generated at run time (bundle versions, run and task ids); the prefix is the narrowest scope and the actions are GetObject/PutObject only`,
    );
  }

  /** Reads bundles (scheduler, worker, api). */
  grantReadBundles(grantee: iam.IGrantable): iam.Grant {
    return this.grantReadPrefix(grantee, BUCKET_PREFIX.bundles);
  }

  /** Uploads bundles (`updraft dags upload` runs as a principal given this). */
  grantWriteBundles(grantee: iam.IGrantable): iam.Grant {
    return this.grantPutPrefix(grantee, BUCKET_PREFIX.bundles);
  }
}
