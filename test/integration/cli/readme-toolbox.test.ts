import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../../scripts/bundle';

describe('README "Operators and sensors by example"', () => {
  it('is the fixture DAG, which builds and validates', async () => {
    const code = readFileSync('test/fixtures/dags/readme/toolbox.dag.ts', 'utf8');
    const body = code.slice(code.indexOf('export default dag('));
    expect(readFileSync('README.md', 'utf8')).toContain(body.trim());
    const result = await buildBundle({ dagsFolder: 'test/fixtures/dags/readme' });
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([]);
    const spec = result.ok ? result.manifest.dags[0]! : undefined;
    expect(spec?.tasks.map((t) => t.operator.kind).sort()).toEqual(
      [
        'athena_query',
        'bash',
        'external_task_sensor',
        'http',
        'http_sensor',
        'lambda_invoke',
        's3_copy',
        's3_key_sensor',
        's3_list',
        's3_put',
        'sensor',
        'trigger_dag_run',
      ].sort(),
    );
  });
});
