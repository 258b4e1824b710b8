/**
 * Branch and join (the book's chapter 5 pattern): `pick_source` follows the old or the new
 * system depending on the logical date, the other path is skipped, and `join` uses
 * `none_failed_min_one_success` so the skipped branch does not skip it.
 */
import { branch, dag, empty, group, TriggerRule, task } from 'updraft';

/** The date the new sales system went live. */
const SWITCH_DATE = '2024-06-01';

const pickSource = branch({ taskId: 'pick_source' }, (ctx) =>
  ctx.ds < SWITCH_DATE ? 'old_system.fetch' : 'new_system.fetch',
);

const fetchOld = task({ taskId: 'fetch' }, () => ({ system: 'old', rows: 120 }));
const cleanOld = task({ taskId: 'clean' }, (_ctx, raw: { system: string; rows: number }) => ({
  ...raw,
  rows: raw.rows - 3,
}));
const fetchNew = task({ taskId: 'fetch' }, () => ({ system: 'new', rows: 140 }));

const report = task({ taskId: 'report', triggerRule: TriggerRule.NoneFailedMinOneSuccess }, (ctx) => {
  ctx.log.info(`report for ${ctx.ds} built from whichever system ran`);
  return ctx.ds;
});

export default dag(
  {
    dagId: 'branch_join',
    description: 'Branch on the logical date; join with none_failed_min_one_success',
    tags: ['example', 'branching'],
    schedule: '@daily',
    startDate: '2024-01-01',
    catchup: false,
  },
  () => {
    const old = group('old_system', () => cleanOld(fetchOld()));
    const fresh = group('new_system', () => fetchNew());
    const join = empty({ taskId: 'join', triggerRule: TriggerRule.NoneFailedMinOneSuccess });
    pickSource().then([old, fresh]);
    old.then(join);
    fresh.then(join);
    join.then(report());
  },
);
