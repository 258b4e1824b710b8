import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionNetwork, UpdraftFunction } from './lambda-function';

/** The one route that answers without credentials (Airflow's health endpoint). */
export const HEALTH_PATH = '/api/v1/health';

/** A JWT authorizer instead of IAM (Cognito, Auth0, any OIDC issuer). */
export interface JwtAuthProps {
  /** Token issuer URL. */
  readonly issuer: string;
  /** Accepted audiences (client ids). */
  readonly audience: string[];
}

/** Props of {@link UpdraftApi}. */
export interface UpdraftApiProps {
  /** Runtime environment (table, bucket, scheduler function name…). */
  readonly environment: Record<string, string>;
  /** Retention of the function's and the access logs' log groups. */
  readonly logRetention: logs.RetentionDays;
  /** Use a JWT authorizer instead of IAM (SigV4). @default - IAM authorization */
  readonly jwt?: JwtAuthProps;
  /** Memory in MiB. @default 512 */
  readonly memorySize?: number;
  /** Function timeout (API Gateway gives up after 30 s anyway). @default 29 s */
  readonly timeout?: Duration;
  /** VPC placement. @default - outside any VPC */
  readonly network?: FunctionNetwork;
  /** Stage throttling. @default 50 requests/s, burst 100 */
  readonly throttle?: apigw.ThrottleSettings;
}

/**
 * The REST API: an HTTP API (payload v2) in front of the api Lambda. Every route requires IAM
 * (or JWT) authorization except `GET /api/v1/health`; access logs go to CloudWatch as JSON.
 */
export class UpdraftApi extends Construct {
  /** The function wrapper (role, log group). */
  readonly fn: UpdraftFunction;
  /** The HTTP API. */
  readonly httpApi: apigw.HttpApi;
  /** Access log group of the default stage. */
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: UpdraftApiProps) {
    super(scope, id);
    this.fn = new UpdraftFunction(this, 'Handler', {
      entry: 'functions/api.ts',
      description: 'Updraft REST API (Airflow stable REST API v1 subset)',
      environment: props.environment,
      timeout: props.timeout ?? Duration.seconds(29),
      memorySize: props.memorySize ?? 512,
      logRetention: props.logRetention,
      network: props.network,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const authorizer = props.jwt
      ? new HttpJwtAuthorizer('Jwt', props.jwt.issuer, { jwtAudience: props.jwt.audience })
      : new HttpIamAuthorizer();
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Updraft REST API',
      defaultAuthorizer: authorizer,
      createDefaultStage: false,
    });
    this.httpApi.addStage('Stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
      },
    });
    const integration = new HttpLambdaIntegration('Lambda', this.fn.function, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    const [health] = this.httpApi.addRoutes({
      path: HEALTH_PATH,
      methods: [apigw.HttpMethod.GET],
      integration,
      authorizer: new apigw.HttpNoneAuthorizer(),
    });
    Validations.of(health!).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: `${HEALTH_PATH} is Airflow's anonymous health check (load balancers, uptime probes); it returns only component status and every other route requires authorization`,
    });
    this.httpApi.addRoutes({ path: '/{proxy+}', methods: [apigw.HttpMethod.ANY], integration });
  }

  /** The API's base URL (the default stage). */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }
}
