import type { ApiDeps } from './deps';
import { Router } from './router';
import { registerDagRunRoutes } from './routes/dag-runs';
import { registerDagRoutes } from './routes/dags';
import { registerMiscRoutes } from './routes/misc';
import { registerPoolRoutes } from './routes/pools';
import { registerTaskInstanceRoutes } from './routes/task-instances';

/** Every endpoint of Updraft's subset of Airflow's stable REST API v1. */
export function createApiRouter(deps: ApiDeps): Router {
  const router = new Router();
  registerMiscRoutes(router, deps);
  registerDagRoutes(router, deps);
  registerDagRunRoutes(router, deps);
  registerTaskInstanceRoutes(router, deps);
  registerPoolRoutes(router, deps);
  return router;
}
