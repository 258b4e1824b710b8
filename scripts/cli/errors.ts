/** Process exit codes of the `updraft` CLI. */
export const ExitCode = {
  Ok: 0,
  /** Something went wrong while doing valid work (I/O, a bug). */
  Failed: 1,
  /** The user's input is wrong: unknown DAG, invalid option, DAG build errors. */
  BadInput: 2,
} as const;
/** One of the CLI's exit codes. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: its lines are printed as they are (no stack) and the process exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    readonly lines: readonly string[],
    options?: ErrorOptions,
  ) {
    super(lines.join('\n'), options);
  }
}
