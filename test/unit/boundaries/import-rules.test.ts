import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const fixture = path.join(root, 'test/fixtures/boundaries');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs the project's dependency-cruiser config over a fixture tree laid out like functions/. */
async function violations(): Promise<Violation[]> {
  const bin = path.join(root, 'node_modules/.bin/depcruise');
  const config = path.join(root, '.dependency-cruiser.cjs');
  const result = await run(bin, ['functions', '--config', config, '--output-type', 'json'], {
    cwd: fixture,
  }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('import boundaries (design.md §3), as npm test enforces them', () => {
  it('rejects exactly the forbidden imports of the fixture tree', async () => {
    // Vendor modules resolve to build-specific files; name them by package.
    const target = (to: string) => to.replace(/^.*node_modules\/([^/]+)\/.*$/, 'package $1');
    const found = (await violations()).map((v) => `${v.rule.name}: ${v.from} → ${target(v.to)}`).sort();
    expect(found).toEqual([
      'app-uses-core-and-ports: functions/app/use-case.ts → functions/adapters/aws/client.ts',
      'core-is-pure: functions/core/reads-env.ts → functions/adapters/aws/client.ts',
      'core-is-pure: functions/core/uses-luxon.ts → package luxon',
    ]);
  }, 60_000);
});
