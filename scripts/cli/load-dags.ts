import { formatProblem, type Problem } from '../../functions/core/validation/problem';
import { type BuildResult, buildBundle } from '../bundle/build';
import { CliError, ExitCode } from './errors';
import type { Io } from './io';

/** Options of every command that builds DAGs. */
export interface DagsOptions {
  dagsFolder: string;
  skipInvalid: boolean;
}

/** A successful build. */
export type BuiltBundle = Extract<BuildResult, { ok: true }>;

/** One line per problem, as every command prints them. */
export function problemLines(severity: 'error' | 'warning', problems: readonly Problem[]): string[] {
  return problems.map((p) => `${severity}: ${formatProblem(p)}`);
}

/** Builds the DAGs in memory; prints skipped files as warnings, throws CliError (exit 2) on problems. */
export async function buildDags(options: DagsOptions, io: Io): Promise<BuiltBundle> {
  const result = await buildBundle({ dagsFolder: options.dagsFolder, skipInvalid: options.skipInvalid });
  if (!result.ok) {
    const n = result.problems.length;
    // The hint only helps when every problem belongs to a file that could be left out.
    const hint = result.problems.every((p) => p.file !== undefined)
      ? ' (--skip-invalid leaves bad files out)'
      : '';
    throw new CliError(ExitCode.BadInput, [
      ...problemLines('error', result.problems),
      `${n} problem${n === 1 ? '' : 's'} in ${options.dagsFolder}; nothing was built${hint}`,
    ]);
  }
  if (result.problems.length > 0) {
    const skipped = [...new Set(result.problems.map((p) => p.file))].filter((f) => f !== undefined);
    io.err([...problemLines('warning', result.problems), `skipped: ${skipped.join(', ')}`].join('\n'));
  }
  return result;
}
