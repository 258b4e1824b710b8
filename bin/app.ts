/**
 * CDK app entry (cdk.json "app"). The orchestrator stack (`lib/`) lands with the deployable-stack
 * milestone; until then synthesizing fails loudly instead of producing an empty template.
 */
console.error(
  'updraft: the AWS stack (lib/) is not implemented yet; use `npx updraft dags test <dag>` locally.',
);
process.exit(2);
