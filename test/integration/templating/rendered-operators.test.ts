import { describe, expect, it } from 'vitest';
import { bash, dag, param, task } from '../../../functions/sdk';
import { runInMemory } from '../../helpers/in-memory-runtime';

const SECRET_PASSWORD = 'p@ss:w/rd#42';
const SECRET_TOKEN = 'tok-9f8e7d6c5b4a';

const env = {
  UPDRAFT_CONN_WAREHOUSE: `postgres://loader:${encodeURIComponent(SECRET_PASSWORD)}@db.internal:5432/sales`,
  UPDRAFT_VAR_TARGET_BUCKET: 'raw-events',
  UPDRAFT_VAR_API_TOKEN: SECRET_TOKEN,
  UPDRAFT_VAR_SETTINGS: '{"region": "eu-west-1", "limits": {"rows": 500}}',
};

describe('templated operator fields, rendered just before the task runs', () => {
  it('renders bash command and env with dates, params, conf, var, conn and xcom_pull; records them masked', async () => {
    const files = task('files', () => ['a.csv', 'b.csv']);
    const r = await runInMemory(
      dag({ dagId: 'templated', params: { table: param('orders') } }, () => {
        const load = bash({
          taskId: 'load',
          command: [
            'echo "day={{ ds }} next={{ macros.ds_add(ds, 1) }} table={{ params.table }} region={{ var.json.settings.region }}"',
            'echo "bucket={{ var.value.target_bucket }} host={{ conn.warehouse.host }}:{{ conn.warehouse.port }}"',
            'echo "first={{ ti.xcom_pull(task_ids=\'files\')[0] }} rows={{ var.json.settings.limits.rows }} who={{ dag_run.conf.who }}"',
          ].join('\n'),
          env: { PGPASSWORD: '{{ conn.warehouse.password }}', TOKEN: "{{ var.value.get('api_token') }}" },
        });
        const check = bash({
          taskId: 'check',
          command: `test "$PGPASSWORD" = '${SECRET_PASSWORD}' && echo "password reached the process"`,
          env: { PGPASSWORD: '{{ conn.warehouse.password }}' },
        });
        files().then(load).then(check);
      }),
      { env, logicalDate: '2024-03-30T23:00:00.000Z', conf: { who: 'ana' } },
    );
    expect(r.result.ok && r.result.run.state).toBe('success');
    const log = r.logOf('load');
    expect(log).toContain('day=2024-03-30 next=2024-03-31 table=orders region=eu-west-1');
    expect(log).toContain('bucket=raw-events host=db.internal:5432');
    expect(log).toContain('first=a.csv rows=500 who=ana');
    expect(r.logOf('check')).toContain('password reached the process');

    const rendered = r.byId('load')?.renderedFields;
    expect(rendered?.command).toContain('day=2024-03-30 next=2024-03-31');
    // Secrets read by templates are masked in the recorded rendering, never stored in clear.
    expect(rendered?.['env.PGPASSWORD']).toBe('***');
    expect(rendered?.['env.TOKEN']).toBe('***');
    expect(JSON.stringify(r.byId('check')?.renderedFields)).not.toContain(SECRET_PASSWORD);
    expect(r.byId('files')?.renderedFields).toBeUndefined();
  });

  it('fails the task, naming the field and the undefined variable, instead of running with ""', async () => {
    const r = await runInMemory(
      dag({ dagId: 'typo' }, () => void bash({ taskId: 'copy', command: 'cp in {{ params.destination }}' })),
    );
    expect(r.byId('copy')).toMatchObject({
      state: 'failed',
      reason: 'template error in field "command": undefined variable "params.destination" (line 1, column 7)',
    });
    expect(r.logOf('copy')).toContain('template error in field "command"');
  });

  it('fails on a missing variable or connection, naming it', async () => {
    const r = await runInMemory(
      dag({ dagId: 'missing' }, () => {
        bash({ taskId: 'var', command: 'echo {{ var.value.nope }}' });
        bash({ taskId: 'conn', command: 'echo {{ conn.nowhere.host }}' });
      }),
    );
    expect(r.byId('var')?.reason).toBe(
      'template error in field "command": undefined variable "var.value.nope" (line 1, column 6)',
    );
    expect(r.byId('conn')?.reason).toContain('undefined variable "conn.nowhere"');
  });
});
