import type { DagRunRecord } from '../../../core/records';
import {
  type ResolvedListRunsOptions,
  type RunStore,
  resolveListRunsOptions,
} from '../../../ports/run-store';
import type { TableContext } from './client';
import { type Item, runFromItem } from './items';
import { type QueryInput, queryPage } from './queries';
import { Attr, dagPartition, RUNS_BY_LOGICAL_DATE_INDEX } from './table';

type StartKey = Record<string, unknown>;

/**
 * One page of a DAG's runs from GSI2 (runs by logical date; it holds run items only, and
 * ScanIndexForward gives the order), with `total` counting every matching run.
 *
 * DynamoDB has neither OFFSET nor COUNT(*), so one pass walks the index: first it reads items
 * until `offset + limit` runs matched (the first `offset` are read and dropped), then it counts
 * the rest from where it stopped with `Select: 'COUNT'`, which returns no items. Each run item is
 * read once in all, so a listing costs what reading all of the DAG's runs costs: 0.5 RCU per 4 KB
 * of run items (eventually consistent; the index projects whole runs, ≈ 0.5–1 KB each, more with a
 * large `conf`), i.e. ≈ 1 RCU per 4–8 runs and one request per 1 MB (≈ 1 000–2 000 runs).
 * A state filter (FilterExpression) saves no reads: filtered-out items are read and billed.
 * A DAG with 100 000 runs costs ≈ 12 000 RCU and ≈ 100 sequential requests per listing; if
 * that becomes common, keep counts per state on the DAG item instead.
 *
 * Eventually consistent: a run created or finished a moment ago may be missing or in its old state.
 */
export async function listRuns(
  ctx: TableContext,
  dagId: string,
  options?: Parameters<RunStore['listRuns']>[1],
): Promise<{ runs: DagRunRecord[]; total: number }> {
  const resolved = resolveListRunsOptions(options);
  const query = runsQuery(dagId, resolved);
  const { limit, offset } = resolved;
  // With limit 0 only the total is asked for: count from the start.
  const wanted = limit === 0 ? 0 : offset + limit;
  const runs: DagRunRecord[] = [];
  let matched = 0;
  let start: StartKey | undefined;
  while (matched < wanted) {
    // Without a filter every item read matches, so reading exactly the missing ones is exact.
    const pageLimit = resolved.states.length === 0 ? wanted - matched : undefined;
    const page = await queryPage(ctx, { ...query, Limit: pageLimit, ExclusiveStartKey: start });
    const items = page.Items ?? [];
    const take = Math.min(items.length, wanted - matched);
    for (const [index, item] of items.slice(0, take).entries()) {
      if (matched + index >= offset) runs.push(runFromItem(item));
    }
    matched += take;
    // A page with more matches than wanted: the count resumes right after the last one taken.
    start = take < items.length ? startKeyOf(items[take - 1] as Item) : page.LastEvaluatedKey;
    if (!start) return { runs, total: matched };
  }
  return { runs, total: matched + (await countFrom(ctx, query, start)) };
}

/** Matching items after `start` (undefined: from the beginning), without reading them out. */
async function countFrom(ctx: TableContext, query: QueryInput, start: StartKey | undefined): Promise<number> {
  let count = 0;
  do {
    const page = await queryPage(ctx, { ...query, Select: 'COUNT', ExclusiveStartKey: start });
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

function runsQuery(dagId: string, { states, order }: ResolvedListRunsOptions): QueryInput {
  const stateValues = Object.fromEntries(states.map((state, i) => [`:s${i}`, state]));
  return {
    IndexName: RUNS_BY_LOGICAL_DATE_INDEX,
    KeyConditionExpression: '#pk = :pk',
    ScanIndexForward: order === 'asc',
    ExpressionAttributeNames: { '#pk': Attr.GSI2PK, ...(states.length > 0 && { '#state': 'state' }) },
    ExpressionAttributeValues: { ':pk': dagPartition(dagId), ...stateValues },
    ...(states.length > 0 && { FilterExpression: `#state IN (${Object.keys(stateValues).join(', ')})` }),
  };
}

/** The ExclusiveStartKey that resumes a GSI2 query after `item`: its table and index keys. */
function startKeyOf(item: Item): StartKey {
  const { PK, SK, GSI2PK, GSI2SK } = Attr;
  return { [PK]: item[PK], [SK]: item[SK], [GSI2PK]: item[GSI2PK], [GSI2SK]: item[GSI2SK] };
}
