#!/usr/bin/env -S node --import tsx
/** The `updraft` CLI entry (package.json "bin"): no logic, scripts/cli owns the commands. */
import { main } from '../scripts/cli/program';

const code = await main(process.argv);
// Exit once the output is flushed, even if a DAG module left a timer or socket open while loading.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
