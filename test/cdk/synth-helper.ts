import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { UpdraftStack, type UpdraftStackProps } from '../../lib/stack';

/** A synthesized CloudFormation fragment: untyped JSON, inspected by the tests. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON
export type Json = any;

/**
 * An UpdraftStack with Lambda bundling skipped (`aws:cdk:bundling-stacks: []`): assertion tests
 * look at resources, not bundles; test/cdk/app-synth.test.ts bundles for real through the CLI.
 */
export function synthStack(props: UpdraftStackProps = {}, context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new UpdraftStack(app, 'Updraft', props);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Resources of one type as `[logicalId, resource]` pairs. */
export function resourcesOf(template: Template, type: string): [string, { Properties: Json }][] {
  return Object.entries(template.findResources(type)) as [string, { Properties: Json }][];
}

/** The logical id of the single resource of `type` whose id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, got ${ids.join(', ')}`);
  return ids[0]!;
}

/** Every statement of the IAM policies attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(template: Template, rolePrefix: string): Json[] {
  const role = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: role })),
    )
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Json[]);
}

/** The actions of a list of statements, flattened. */
export function actionsOf(statements: Json[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[]);
}

/** A dashboard widget as CloudWatch reads it (tokens inside the body replaced by `"<ref>"`). */
export interface DashboardWidget {
  properties: { title: string; metrics: Json[][] };
}

/** The widgets of the single dashboard, parsed from its `Fn::Join` body. */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const [[, dashboard]] = resourcesOf(template, 'AWS::CloudWatch::Dashboard') as [[string, Json]];
  const body = dashboard.Properties.DashboardBody;
  const parts: Json[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  const text = parts.map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  return JSON.parse(text).widgets;
}
