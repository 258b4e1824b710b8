import { assertNever } from '../assert-never';
import { UNMAPPED } from '../model';
import { TriggerRule } from '../trigger-rule';
import { describeCounts, type UpstreamCounts } from './upstream-counts';

/**
 * What a task instance's trigger rule decides, with a readable reason: run it, keep waiting, or
 * move it straight to a finished state (skipped / upstream_failed / removed) without running it.
 */
export type RuleDecision =
  | { kind: 'run'; reason: string }
  | { kind: 'wait'; reason: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'upstream_failed'; reason: string }
  | { kind: 'removed'; reason: string };

/** Discriminant of RuleDecision. */
export type RuleDecisionKind = RuleDecision['kind'];

/** Options of `evaluateTriggerRule`. */
export interface TriggerRuleOptions {
  /** Map index of the instance being evaluated; `UNMAPPED` (-1) by default. */
  mapIndex?: number;
}

/** What both evaluation phases need, computed once. */
interface Context {
  rule: TriggerRule;
  c: UpstreamCounts;
  mapIndex: number;
  /** failed + upstream_failed: Airflow treats both as "a failure upstream". */
  failures: number;
  upstreamDone: boolean;
}

/**
 * Evaluates a trigger rule against the direct upstream counts, as Airflow 2.7–2.10's
 * `TriggerRuleDep._evaluate_direct_relatives` does in the scheduler (`flag_upstream_failed` on):
 * first the rule may move the instance to a new finished state; if it does not, the rule either
 * passes (run) or not yet (wait). Setup/teardown rules are out of scope.
 */
export function evaluateTriggerRule(
  rule: TriggerRule,
  counts: UpstreamCounts,
  opts: TriggerRuleOptions = {},
): RuleDecision {
  // Airflow checks "no upstream" before the rule itself: a root task always runs.
  if (counts.upstream === 0) return { kind: 'run', reason: `trigger rule ${rule}: no upstream tasks` };
  const ctx: Context = {
    rule,
    c: counts,
    mapIndex: opts.mapIndex ?? UNMAPPED,
    failures: counts.failed + counts.upstreamFailed,
    // `>=` as in Airflow: done can only exceed upstream if the caller over-counts.
    upstreamDone: counts.done >= counts.upstream,
  };
  return newStateDecision(ctx) ?? passingDecision(ctx);
}

/** Builds a decision whose reason names the rule and the upstream tally. */
function say(ctx: Context, kind: RuleDecisionKind, text: string): RuleDecision {
  return { kind, reason: `trigger rule ${ctx.rule}: ${text} (${describeCounts(ctx.c)})` };
}

/** Phase 1: Airflow's `flag_upstream_failed` block. Undefined when the rule sets no new state. */
function newStateDecision(ctx: Context): RuleDecision | undefined {
  const { rule, c, mapIndex, failures, upstreamDone } = ctx;
  const of = `of ${c.upstream} upstream tasks`;
  switch (rule) {
    case TriggerRule.AllSuccess:
      // Fails fast: one failure is enough, even while other upstreams still run.
      if (failures > 0) return say(ctx, 'upstream_failed', `${failures} ${of} failed`);
      if (c.skipped > 0) return say(ctx, 'skip', `${c.skipped} ${of} skipped`);
      // A mapped instance past the number of successful upstream instances will never get an
      // input of its own (the upstream shrank): Airflow marks it removed.
      if (c.removed > 0 && c.success > 0 && mapIndex > UNMAPPED && mapIndex >= c.success) {
        return say(
          ctx,
          'removed',
          `map index ${mapIndex} is beyond the ${c.success} successful upstream instances`,
        );
      }
      return undefined;
    case TriggerRule.AllFailed:
      if (c.success + c.skipped > 0)
        return say(ctx, 'skip', `${c.success + c.skipped} ${of} succeeded or skipped`);
      return undefined;
    case TriggerRule.OneSuccess:
      // `done` includes removed, so "all skipped" means every finished upstream was skipped.
      if (upstreamDone && c.done === c.skipped)
        return say(ctx, 'skip', `all ${c.upstream} upstream tasks skipped`);
      if (upstreamDone && c.success <= 0)
        return say(ctx, 'upstream_failed', 'all upstream tasks finished, none succeeded');
      return undefined;
    case TriggerRule.OneFailed:
      if (upstreamDone && failures === 0) return say(ctx, 'skip', 'all upstream tasks finished, none failed');
      return undefined;
    case TriggerRule.OneDone:
      // upstream_failed does not count as "done" for one_done: only success or failed do.
      if (upstreamDone && c.success + c.failed === 0) {
        return say(ctx, 'skip', 'all upstream tasks finished, none succeeded or failed');
      }
      return undefined;
    case TriggerRule.NoneFailed:
      if (failures > 0) return say(ctx, 'upstream_failed', `${failures} ${of} failed`);
      return undefined;
    case TriggerRule.NoneFailedMinOneSuccess:
      if (failures > 0) return say(ctx, 'upstream_failed', `${failures} ${of} failed`);
      if (c.skipped === c.upstream) return say(ctx, 'skip', `all ${c.upstream} upstream tasks skipped`);
      return undefined;
    case TriggerRule.NoneSkipped:
      if (c.skipped > 0) return say(ctx, 'skip', `${c.skipped} ${of} skipped`);
      return undefined;
    case TriggerRule.AllSkipped:
      if (c.success + failures > 0)
        return say(ctx, 'skip', `${c.success + failures} ${of} succeeded or failed`);
      return undefined;
    case TriggerRule.AllDone:
    case TriggerRule.Always:
      return undefined;
    default:
      return assertNever(rule, 'trigger rule');
  }
}

/** Phase 2: Airflow's passing checks. A rule that does not pass yet means wait. */
function passingDecision(ctx: Context): RuleDecision {
  const { rule, c, mapIndex, failures, upstreamDone } = ctx;
  const of = `of ${c.upstream} upstream tasks`;
  // Only a mapped instance may discount removed upstream instances (they will never finish usefully).
  const removedAllowance = mapIndex > UNMAPPED ? c.removed : 0;
  const notDone = c.upstream - c.done;
  const gate = (pending: number, waitText: string, runText: string): RuleDecision =>
    pending > 0 ? say(ctx, 'wait', `waiting for ${pending} ${of} ${waitText}`) : say(ctx, 'run', runText);
  switch (rule) {
    case TriggerRule.OneSuccess:
      return c.success > 0
        ? say(ctx, 'run', `${c.success} ${of} succeeded`)
        : say(ctx, 'wait', 'waiting for one upstream task to succeed');
    case TriggerRule.OneFailed:
      return failures > 0
        ? say(ctx, 'run', `${failures} ${of} failed`)
        : say(ctx, 'wait', 'waiting for one upstream task to fail');
    case TriggerRule.OneDone:
      return c.success + c.failed > 0
        ? say(ctx, 'run', `${c.success + c.failed} ${of} succeeded or failed`)
        : say(ctx, 'wait', 'waiting for one upstream task to succeed or fail');
    case TriggerRule.AllSuccess:
      return gate(c.upstream - c.success - removedAllowance, 'to succeed', 'all upstream tasks succeeded');
    case TriggerRule.AllFailed:
      return gate(c.upstream - failures - removedAllowance, 'to fail', 'all upstream tasks failed');
    case TriggerRule.AllDone:
      return gate(upstreamDone ? 0 : notDone, 'to finish', 'all upstream tasks finished');
    case TriggerRule.NoneFailed:
    case TriggerRule.NoneFailedMinOneSuccess:
      // Airflow does not re-check "min one success" here: phase 1 already skipped the all-skipped case.
      return gate(
        c.upstream - c.success - c.skipped - removedAllowance,
        'to succeed or skip',
        'no upstream task failed',
      );
    case TriggerRule.NoneSkipped:
      return !upstreamDone || c.skipped > 0
        ? say(ctx, 'wait', `waiting for ${notDone} ${of} to finish`)
        : say(ctx, 'run', 'all upstream tasks finished, none skipped');
    case TriggerRule.AllSkipped:
      return gate(c.upstream - c.skipped, 'to skip', 'all upstream tasks skipped');
    case TriggerRule.Always:
      return say(ctx, 'run', 'runs whatever the upstream states');
    default:
      return assertNever(rule, 'trigger rule');
  }
}
