import type { BundleImportError } from '../../../ports/bundle-store';
import { errorFields, logJson } from '../../log';
import type { ApiDeps } from '../deps';
import { badRequest, notFound } from '../problem';
import { pagination } from '../request';
import type { Router } from '../router';
import { isoOrNull } from '../serializers';

/** `/health` and `/importErrors`. */
export function registerMiscRoutes(router: Router, deps: ApiDeps): void {
  router.on('GET', '/api/v1/health', async () => {
    return {
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: {
        metadatabase: { status: (await storeReachable(deps)) ? 'healthy' : 'unhealthy' },
        // No scheduler process to beat: EventBridge invokes the scheduler Lambda every minute.
        scheduler: { status: 'healthy', latest_scheduler_heartbeat: null },
      },
    };
  });

  router.on('GET', '/api/v1/importErrors', async (request) => {
    const { limit, offset } = pagination(request);
    const errors = orderErrors(await listed(deps), request.query.order_by);
    const page = errors.slice(offset, offset + limit).map(importErrorJson);
    return { status: 200, body: { import_errors: page, total_entries: errors.length } };
  });

  router.on('GET', '/api/v1/importErrors/{import_error_id}', async ({ params }) => {
    const raw = params.import_error_id!;
    if (!/^\d+$/.test(raw)) {
      throw badRequest(`path parameter import_error_id must be a whole number, got ${JSON.stringify(raw)}`);
    }
    const found = (await listed(deps)).find((e) => e.import_error_id === Number(raw));
    if (!found)
      throw notFound(
        'Import error not found',
        `The ImportError with import_error_id: \`${raw}\` was not found`,
      );
    return { status: 200, body: importErrorJson(found) };
  });
}

/**
 * Airflow answers 200 with `unhealthy` parts rather than an error status; a failing store read
 * is logged with its cause so the 200 does not hide it.
 */
async function storeReachable(deps: ApiDeps): Promise<boolean> {
  try {
    await deps.store.getDagStates(['__updraft_health__']); // one small keyed read
    return true;
  } catch (error) {
    logJson('warn', 'health check: the run store is unreachable', errorFields(error));
    return false;
  }
}

type Listed = BundleImportError & { import_error_id: number };

/** Import errors with stable ids: their 1-based position in the recorded list. */
async function listed(deps: ApiDeps): Promise<Listed[]> {
  return (await deps.bundles.importErrors()).map((e, i) => ({ ...e, import_error_id: i + 1 }));
}

const ORDERS = ['import_error_id', 'timestamp', 'filename'];

/** Airflow's `order_by` (a field, `-` for descending); default import_error_id. */
function orderErrors(errors: Listed[], orderBy = 'import_error_id'): Listed[] {
  const field = orderBy.replace(/^-/, '') as keyof Listed;
  if (!ORDERS.includes(field)) {
    throw badRequest(
      `order_by: use one of ${ORDERS.join(', ')} (prefix - for descending), got ${JSON.stringify(orderBy)}`,
    );
  }
  const sign = orderBy.startsWith('-') ? -1 : 1;
  return [...errors].sort((a, b) => {
    const x = a[field];
    const y = b[field];
    return sign * (x < y ? -1 : x > y ? 1 : a.import_error_id - b.import_error_id);
  });
}

function importErrorJson(e: Listed) {
  const timestamp = Number.isNaN(Date.parse(e.timestamp)) ? e.timestamp : isoOrNull(e.timestamp);
  return { import_error_id: e.import_error_id, timestamp, filename: e.filename, stack_trace: e.message };
}
