import { type Command, InvalidArgumentError } from 'commander';
import { connect, type TriggerBody } from '../api-client';
import { type ApiOptions, withApiOptions } from '../client/target';
import { type Io, printJson, shortInstant } from '../io';
import { parseNow } from '../options';

interface TriggerOptions extends ApiOptions {
  conf?: Record<string, unknown>;
  logicalDate?: string;
  runId?: string;
  note?: string;
  json: boolean;
}

/** `--conf`: a JSON object (Airflow's `conf` is a dict). */
export function parseConf(value: string): Record<string, unknown> {
  let conf: unknown;
  try {
    conf = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON (${(error as Error).message}); e.g. '{"files": 3}'`);
  }
  if (conf === null || typeof conf !== 'object' || Array.isArray(conf))
    throw new InvalidArgumentError(`expected a JSON object, like '{"files": 3}'`);
  return conf as Record<string, unknown>;
}

/** `updraft trigger <dagId>`: creates a manual run through the API and prints its id and state. */
export function registerTrigger(program: Command, io: Io): void {
  withApiOptions(
    program
      .command('trigger')
      .description('trigger a manual run of a DAG on a running Updraft')
      .argument('<dagId>', 'the DAG to run'),
  )
    .option('--conf <json>', 'run configuration, a JSON object checked against the DAG params', parseConf)
    .option('--logical-date <iso>', 'logical date of the run (default: now)', parseNow)
    .option('--run-id <id>', 'run id (default: manual__<logical date>)')
    .option('--note <text>', 'a note shown with the run')
    .option('--json', 'print the created run as JSON (Airflow DAGRun)', false)
    .addHelpText(
      'after',
      `\nExample:\n  updraft trigger etl_linear --conf '{"rows": 10}'\n  updraft runs show etl_linear <run id> --wait`,
    )
    .action(async (dagId: string, options: TriggerOptions) => {
      const client = await connect(options);
      const body: TriggerBody = {
        ...(options.runId !== undefined && { dag_run_id: options.runId }),
        ...(options.logicalDate !== undefined && { logical_date: options.logicalDate }),
        ...(options.conf !== undefined && { conf: options.conf }),
        ...(options.note !== undefined && { note: options.note }),
      };
      const run = await client.trigger(dagId, body);
      if (options.json) {
        printJson(io, run);
        return;
      }
      const logical = run.logical_date ? ` (logical date ${shortInstant(run.logical_date)})` : '';
      io.out(`${run.dag_run_id}  ${run.state}${logical}`);
      io.err(`watch it: updraft runs show ${dagId} '${run.dag_run_id}' --wait`);
    });
}
