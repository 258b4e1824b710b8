import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../functions/runtime/config';
import { ENV } from '../../../functions/runtime/env-keys';

const base = {
  [ENV.tableName]: 'runs',
  [ENV.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/1/small',
  [ENV.bucket]: 'bucket',
};

describe('readConfig', () => {
  it('applies the documented defaults', () => {
    expect(readConfig(base)).toMatchObject({
      logBackend: 's3',
      heartbeatSeconds: 30,
      zombieAfterSeconds: 300,
      requeueAfterSeconds: 120,
      maxCommandsPerTick: 500,
      maxMapLength: 1024,
      xcomInlineLimitBytes: 65536,
    });
    expect(readConfig(base).workerQueues).toBeUndefined();
    expect(readConfig(base).metricsNamespace).toBeUndefined();
  });

  it('names every missing or malformed variable', () => {
    expect(() => readConfig({ [ENV.heartbeatSeconds]: '-3' })).toThrow(
      new RegExp(`${ENV.tableName}.*${ENV.queueUrl}.*${ENV.bucket}.*${ENV.heartbeatSeconds}`),
    );
    expect(() => readConfig({ ...base, [ENV.logBackend]: 'cloudwatch' })).toThrow(
      `${ENV.logGroup} is required when ${ENV.logBackend}=cloudwatch`,
    );
    expect(() => readConfig({ ...base, [ENV.ecsAssignPublicIp]: 'yes' })).toThrow(ENV.ecsAssignPublicIp);
  });

  it('reads the worker memory classes, sorted by memory', () => {
    const config = readConfig({
      ...base,
      [ENV.workerQueues]: '4096=https://q/medium, 1024=https://q/small,10240=https://q/large',
    });
    expect(config.workerQueues).toEqual([
      { memoryMiB: 1024, queueUrl: 'https://q/small' },
      { memoryMiB: 4096, queueUrl: 'https://q/medium' },
      { memoryMiB: 10240, queueUrl: 'https://q/large' },
    ]);
  });

  it('rejects a malformed or repeated memory class with the pair', () => {
    expect(() => readConfig({ ...base, [ENV.workerQueues]: '1024=https://q/a,big=https://q/b' })).toThrow(
      `${ENV.workerQueues}: expected <MiB>=<queue URL>, got "big=https://q/b"`,
    );
    expect(() => readConfig({ ...base, [ENV.workerQueues]: '1024=https://q/a,1024=https://q/b' })).toThrow(
      'memory classes repeat: 1024, 1024',
    );
  });
});
