/**
 * CDK app entry (cdk.json "app"): one env-agnostic UpdraftStack configured from context
 * (lib/context.ts; `updraft:dagsPath` defaults to `dags`, built and uploaded on deploy),
 * checked by cdk-nag on synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackNameFrom, updraftPropsFrom } from '../lib/context';
import { UpdraftStack } from '../lib/stack';

const app = new App();
new UpdraftStack(app, stackNameFrom(app.node), { updraft: updraftPropsFrom(app.node) });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
