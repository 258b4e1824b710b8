import { describe, expect, it } from 'vitest';
import { tableDefinition } from '../../functions/adapters/aws/dynamo/table';
import { type Json, resourcesOf, synthStack } from './synth-helper';

const sortBy = <T extends Record<string, unknown>>(items: T[], key: keyof T) =>
  [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

describe('run-state table in the stack', () => {
  const { template } = synthStack();
  const [[, table]] = resourcesOf(template, 'AWS::DynamoDB::GlobalTable') as [[string, { Properties: Json }]];
  const props = table.Properties;
  const expected = tableDefinition('x');

  it('has the key schema, attributes and GSIs of functions/adapters/aws/dynamo/table.ts', () => {
    expect(props.KeySchema).toEqual(expected.KeySchema);
    expect(sortBy(props.AttributeDefinitions, 'AttributeName')).toEqual(
      sortBy(expected.AttributeDefinitions as unknown as Record<string, unknown>[], 'AttributeName'),
    );
    const indexes = (props.GlobalSecondaryIndexes as Json[]).map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
    }));
    expect(sortBy(indexes, 'IndexName')).toEqual(
      sortBy(expected.GlobalSecondaryIndexes as unknown as Record<string, unknown>[], 'IndexName'),
    );
  });

  it('is on demand, encrypted and point-in-time recoverable', () => {
    expect(props.BillingMode).toBe(expected.BillingMode);
    expect(props.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(props.Replicas).toHaveLength(1);
    expect(props.Replicas[0].PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('is retained when the stack is deleted', () => {
    expect(JSON.stringify(template.findResources('AWS::DynamoDB::GlobalTable'))).toContain(
      '"DeletionPolicy":"Retain"',
    );
  });
});
