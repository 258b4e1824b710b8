import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Updraft, type UpdraftProps } from './updraft';

/** Props of {@link UpdraftStack}: stack props plus the orchestrator's. */
export interface UpdraftStackProps extends StackProps {
  /** Orchestrator settings. @default - every default of {@link UpdraftProps} */
  readonly updraft?: UpdraftProps;
}

/** The deployable stack: one {@link Updraft}. Env-agnostic unless `env` is given. */
export class UpdraftStack extends Stack {
  /** The orchestrator. */
  readonly updraft: Updraft;

  constructor(scope: Construct, id: string, props: UpdraftStackProps = {}) {
    super(scope, id, { description: 'Updraft: serverless Airflow-style workflow orchestrator', ...props });
    this.updraft = new Updraft(this, 'Orchestrator', props.updraft);
  }
}
