/**
 * Names of the environment variables the Lambda functions read; shared with lib/ (CDK) so the
 * stack and the code agree. Values are documented in config.ts.
 */
export const ENV = {
  tableName: 'UPDRAFT_TABLE_NAME',
  queueUrl: 'UPDRAFT_QUEUE_URL',
  bucket: 'UPDRAFT_BUCKET',
  logBackend: 'UPDRAFT_LOG_BACKEND',
  logGroup: 'UPDRAFT_TASK_LOG_GROUP',
  awsEndpoint: 'UPDRAFT_AWS_ENDPOINT',
  heartbeatSeconds: 'UPDRAFT_HEARTBEAT_SECONDS',
  zombieAfterSeconds: 'UPDRAFT_ZOMBIE_AFTER_SECONDS',
  requeueAfterSeconds: 'UPDRAFT_REQUEUE_AFTER_SECONDS',
  maxCommandsPerTick: 'UPDRAFT_MAX_COMMANDS_PER_TICK',
  maxRunsPerDagPerTick: 'UPDRAFT_MAX_RUNS_PER_DAG_PER_TICK',
  maxMapLength: 'UPDRAFT_MAX_MAP_LENGTH',
  lambdaSafetyMarginSeconds: 'UPDRAFT_LAMBDA_SAFETY_MARGIN_SECONDS',
  xcomInlineLimitBytes: 'UPDRAFT_XCOM_INLINE_LIMIT_BYTES',
  schedulerFunctionName: 'UPDRAFT_SCHEDULER_FUNCTION_NAME',
  workerQueues: 'UPDRAFT_WORKER_QUEUES',
  metricsNamespace: 'UPDRAFT_METRICS_NAMESPACE',
  ecsCluster: 'UPDRAFT_ECS_CLUSTER',
  ecsSubnets: 'UPDRAFT_ECS_SUBNETS',
  ecsSecurityGroups: 'UPDRAFT_ECS_SECURITY_GROUPS',
  ecsAssignPublicIp: 'UPDRAFT_ECS_ASSIGN_PUBLIC_IP',
  ecsExecutionRoleArn: 'UPDRAFT_ECS_EXECUTION_ROLE_ARN',
  ecsTaskRoleArn: 'UPDRAFT_ECS_TASK_ROLE_ARN',
  ecsLogGroup: 'UPDRAFT_ECS_LOG_GROUP',
  ecsTaskDefinitions: 'UPDRAFT_ECS_TASK_DEFINITIONS',
  ecsContainerName: 'UPDRAFT_ECS_CONTAINER_NAME',
  ecsLogStreamPrefix: 'UPDRAFT_ECS_LOG_STREAM_PREFIX',
  ecsTaskRoles: 'UPDRAFT_ECS_TASK_ROLES',
} as const;
