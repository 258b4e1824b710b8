import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it, vi } from 'vitest';
import { synthStack } from './synth-helper';

interface Acknowledgment {
  id: string;
  reason: string;
  path: string;
}

function acknowledgments(root: IConstruct): Acknowledgment[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ id, reason, path: construct.node.path })),
  );
}

describe('cdk-nag AwsSolutionsChecks', () => {
  const variants = {
    default: synthStack(),
    'JWT + alarm email': synthStack({
      updraft: { jwt: { issuer: 'https://issuer.example', audience: ['a'] }, alarmEmail: 'ops@example.com' },
    }),
  };

  for (const [name, { stack }] of Object.entries(variants)) {
    it(`reports no unacknowledged finding (${name})`, () => {
      const report = new AwsSolutionsChecks(stack).validateScope(stack);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.resourceLogicalId}: ${v.description}`),
      );
      expect(findings).toEqual([]);
      expect(report.success).toBe(true);
    });
  }

  it('fails without the acknowledgments (the checks really run)', () => {
    const ignore = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {});
    const { stack } = synthStack();
    ignore.mockRestore();
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const rules = new Set(report.violations.map((v) => v.ruleName.replace(/\[.*/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
    ]);
  });

  it('acknowledges only specific findings, each on its resource with a specific reason', () => {
    const { stack } = variants.default;
    const acks = acknowledgments(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path).not.toBe(stack.node.path); // never stack-wide
      expect(ack.reason.length).toBeGreaterThan(60);
      if (ack.id.startsWith('AwsSolutions-IAM5'))
        expect(ack.id).toMatch(/AwsSolutions-IAM5\[Resource::.+\]$/);
    }
    const ids = new Set(acks.map((a) => a.id.replace(/^Annotation::/i, '').replace(/\[.*/, '')));
    expect([...ids].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
    ]);
  });
});
