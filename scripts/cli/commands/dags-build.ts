import path from 'node:path';
import type { Command } from 'commander';
import { writeBundle } from '../../bundle/write';
import { displayPath, type Io, printJson } from '../io';
import { buildDags, type DagsOptions } from '../load-dags';
import { withDagsOptions } from '../options';

/** Default output folder of `dags build`; a bundle lands in `<out>/<version>/`. */
export const DEFAULT_OUT_DIR = path.join('dist', 'bundles');

interface BuildCommandOptions extends DagsOptions {
  out: string;
  json: boolean;
}

/** `updraft dags build`: bundle, validate and write an immutable bundle; nothing is written on problems. */
export function registerDagsBuild(dags: Command, io: Io): void {
  withDagsOptions(
    dags.command('build').description('bundle and validate the DAG files into dist/bundles/<version>'),
  )
    .option('--out <dir>', 'output folder for bundles', DEFAULT_OUT_DIR)
    .option('--json', 'print the result as JSON', false)
    .action(async (options: BuildCommandOptions) => {
      const built = await buildDags(options, io);
      const { dir, version } = await writeBundle(built, options.out);
      const dagIds = built.manifest.dags.map((d) => d.dagId);
      if (options.json) {
        printJson(io, {
          version,
          dag_count: dagIds.length,
          dag_ids: dagIds,
          path: displayPath(dir),
          skipped: built.problems,
        });
      } else {
        io.out(
          `built bundle ${version}: ${dagIds.length} DAG${dagIds.length === 1 ? '' : 's'} → ${displayPath(dir)}`,
        );
      }
    });
}
