import { describe, expect, it } from 'vitest';
import { NunjucksTemplateEngine } from '../../../../functions/adapters/shared/nunjucks-engine';
import type { DagRunRecord } from '../../../../functions/core/records';
import { templateContext } from '../../../../functions/core/templating/context';
import { dagSpec, taskSpec } from '../../../helpers/specs';

const engine = new NunjucksTemplateEngine();

/** A run of a daily DAG in `timezone` whose interval starts at local midnight `logicalDate` (UTC ISO). */
function contextFor(timezone: string, logicalDate: string, dataIntervalEnd: string) {
  const task = taskSpec('load', { retries: 2 });
  const dag = dagSpec('sales', { timezone, tasks: [task] });
  const run: DagRunRecord = {
    dagId: 'sales',
    runId: `scheduled__${logicalDate}`,
    runType: 'scheduled',
    state: 'running',
    logicalDate,
    dataIntervalStart: logicalDate,
    dataIntervalEnd: dataIntervalEnd,
    runAfter: dataIntervalEnd,
    conf: { region: 'eu' },
    bundleVersion: 'v1',
    externalTrigger: false,
    queuedAt: dataIntervalEnd,
  };
  return templateContext({
    dag,
    task,
    run,
    key: { dagId: 'sales', runId: run.runId, taskId: 'load', mapIndex: 3 },
    tryNumber: 2,
    params: { table: 'orders', limit: 10 },
  });
}

const utc = contextFor('UTC', '2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z');
// Europe/Amsterdam midnight on 2024-03-31 is 2024-03-30T23:00Z: Airflow's ds is the UTC date.
const amsterdam = contextFor('Europe/Amsterdam', '2024-03-30T23:00:00.000Z', '2024-03-31T22:00:00.000Z');

describe('template context: Airflow names and formats', () => {
  it.each([
    // [template, UTC DAG, Europe/Amsterdam DAG]
    ['{{ ds }}', '2024-01-01', '2024-03-30'],
    ['{{ ds_nodash }}', '20240101', '20240330'],
    ['{{ ts }}', '2024-01-01T00:00:00+00:00', '2024-03-30T23:00:00+00:00'],
    ['{{ ts_nodash }}', '20240101T000000', '20240330T230000'],
    ['{{ ts_nodash_with_tz }}', '20240101T000000+0000', '20240330T230000+0000'],
    ['{{ logical_date }}', '2024-01-01T00:00:00+00:00', '2024-03-30T23:00:00+00:00'],
    ['{{ data_interval_start }}', '2024-01-01T00:00:00+00:00', '2024-03-30T23:00:00+00:00'],
    ['{{ data_interval_end }}', '2024-01-02T00:00:00+00:00', '2024-03-31T22:00:00+00:00'],
    ["{{ data_interval_end.strftime('%Y-%m-%d %H:%M') }}", '2024-01-02 00:00', '2024-03-31 22:00'],
    ["{{ logical_date.strftime('%d %b %Y, %A') }}", '01 Jan 2024, Monday', '30 Mar 2024, Saturday'],
    ['{{ logical_date.add(days=1).to_date_string() }}', '2024-01-02', '2024-03-31'],
    [
      '{{ logical_date.subtract(months=1).isoformat() }}',
      '2023-12-01T00:00:00+00:00',
      '2024-02-29T23:00:00+00:00',
    ],
    ['{{ macros.ds_add(ds, 7) }}', '2024-01-08', '2024-04-06'],
    ['{{ macros.ds_add(ds, -1) }}', '2023-12-31', '2024-03-29'],
    ["{{ macros.ds_format(ds, '%Y-%m-%d', '%m/%d/%y') }}", '01/01/24', '03/30/24'],
    ["{{ macros.strftime(ts, '%Y%j') }}", '2024001', '2024090'],
    ['{{ run_id }}', 'scheduled__2024-01-01T00:00:00.000Z', 'scheduled__2024-03-30T23:00:00.000Z'],
    [
      '{{ dag.dag_id }}/{{ task.task_id }}/{{ ti.map_index }}/{{ ti.try_number }}',
      'sales/load/3/2',
      'sales/load/3/2',
    ],
    ['{{ dag.timezone }}', 'UTC', 'Europe/Amsterdam'],
    ['{{ params.table }}:{{ params.limit + 1 }}', 'orders:11', 'orders:11'],
    // Jinja's tojson: an XCom or the params handed to a container as one JSON argument.
    ['{{ params | tojson }}', '{"table":"orders","limit":10}', '{"table":"orders","limit":10}'],
    [
      '{{ conf.region }}/{{ dag_run.conf.region }}/{{ dag_run.run_type }}',
      'eu/eu/scheduled',
      'eu/eu/scheduled',
    ],
    ["{{ ds | replace('-', '/') }}", '2024/01/01', '2024/03/30'],
  ])('%s', (template, expectedUtc, expectedAmsterdam) => {
    expect(engine.render(template, utc)).toBe(expectedUtc);
    expect(engine.render(template, amsterdam)).toBe(expectedAmsterdam);
  });
});

describe('template sandbox: a template sees its context and nothing else', () => {
  it.each([
    ["{{ ''.constructor.constructor('return process')().pid }}", /"constructor" may not be looked up/],
    ["{{ range.constructor('return process.env')() }}", /"constructor" may not be looked up/],
    ["{{ ds['constr' ~ 'uctor'] }}", /"constructor" may not be looked up/],
    ['{{ params.__proto__ }}', /"__proto__" may not be looked up/],
    ['{{ constructor }}', /undefined variable "constructor"/],
    ['{{ process.env.HOME }}', /undefined variable "process"/],
    ['{{ require }}', /undefined variable "require"/],
    ['{{ macros.ds_add.call }}', /undefined variable "macros.ds_add.call"/],
    ['{% include "/etc/passwd" %}', /template not found/],
    ['{% import "x" as y %}', /template not found/],
  ])('%s is refused', (template, message) => {
    expect(() => engine.render(template, utc)).toThrow(message);
  });

  it('names an undefined variable with its path and position instead of rendering ""', () => {
    expect(() => engine.render('s3://bucket/{{ params.tabel }}/x', utc)).toThrow(
      'undefined variable "params.tabel" (line 1, column 13)',
    );
    expect(() => engine.render('{{ nope.deeper }}', utc)).toThrow('undefined variable "nope"');
    expect(engine.render("{{ params.tabel | default('fallback') }}", utc)).toBe('fallback');
  });

  it('reports syntax errors with their position', () => {
    expect(() => engine.render('{{ ds ', utc)).toThrow(/expected variable end/);
    expect(() => engine.render('{% for x in %}{% endfor %}', utc)).toThrow(/line 1/);
  });
});
