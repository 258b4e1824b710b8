import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SCRIPT_BOOTSTRAP } from '../../../functions/adapters/aws/ecs/ecs-container-launcher';

const dir = mkdtempSync(path.join(tmpdir(), 'updraft-bootstrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the Fargate bootstrap of Python tasks (run here with this machine's python3)", () => {
  it('fetches the script from UPDRAFT_SCRIPT_URL and runs it as __main__ with the arguments', () => {
    const script = path.join(dir, 'report.py');
    writeFileSync(
      script,
      'import json, sys\nif __name__ == "__main__":\n    print(json.dumps(sys.argv[1:]))\n',
    );
    const run = spawnSync('python3', ['-c', SCRIPT_BOOTSTRAP, '--day', '2024-01-01'], {
      env: { ...process.env, UPDRAFT_SCRIPT_URL: pathToFileURL(script).href },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('["--day", "2024-01-01"]');
  });

  it("exits non-zero with the script's own error", () => {
    const script = path.join(dir, 'fails.py');
    writeFileSync(script, 'raise SystemExit(3)\n');
    const run = spawnSync('python3', ['-c', SCRIPT_BOOTSTRAP], {
      env: { ...process.env, UPDRAFT_SCRIPT_URL: pathToFileURL(script).href },
      encoding: 'utf8',
    });
    expect(run.status).toBe(3);
  });
});
