/**
 * The code of the worker thread an isolated TS task runs in, as source text: Lambda bundles the
 * worker into one file, so the thread cannot have an entry file of its own. Plain JavaScript
 * (CommonJS, as `eval` workers run) with no outer references; tested through IsolatedCodeLoader.
 *
 * Protocol (thread → host): `log`, `mask`, `call` (xcomPull/connection/variable, answered by a
 * `reply`), then one `result` or `error`. Host → thread: `reply`, `abort`.
 */
export const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pending = new Map();
let nextId = 0;
const controller = new AbortController();
const call = (method, args) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    parentPort.postMessage({ type: 'call', id, method, args });
  });
parentPort.on('message', (message) => {
  if (message.type === 'abort') controller.abort(new Error('task aborted by the worker (execution timeout or shutdown)'));
  if (message.type !== 'reply') return;
  const waiter = pending.get(message.id);
  pending.delete(message.id);
  if (!waiter) return;
  if (message.ok) waiter.resolve(message.value);
  else waiter.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
});
const log = (level) => (message, fields) => parentPort.postMessage({ type: 'log', level, message: String(message), fields });
const fail = (error) => {
  const e = error instanceof Error ? error : new Error(String(error));
  parentPort.postMessage({ type: 'error', name: e.name, message: e.message, stack: e.stack });
};
(async () => {
  const { moduleUrl, dagId, taskId, context, inputs } = workerData;
  const module = await import(moduleUrl);
  const dag = Object.values(module).find(
    (v) => v !== null && typeof v === 'object' && v.dagId === dagId && typeof v.taskCallable === 'function',
  );
  const fn = dag && dag.taskCallable(taskId);
  if (!fn) throw Object.assign(new Error('no function for task "' + taskId + '" of DAG "' + dagId + '" in ' + moduleUrl), { name: 'NonRetryableTaskError' });
  const ctx = {
    ...context,
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    xcomPull: (task, key) => call('xcomPull', [task, key]),
    connection: (id) => call('connection', [id]),
    variable: (key, fallback) => call('variable', [key, fallback]),
    mask: (value) => parentPort.postMessage({ type: 'mask', value: String(value) }),
    signal: controller.signal,
  };
  const value = await fn(ctx, ...inputs);
  try {
    parentPort.postMessage({ type: 'result', value });
  } catch {
    throw Object.assign(new Error('return value is not JSON data (XComs are JSON)'), { name: 'NonRetryableTaskError' });
  }
})().catch(fail);
`;
