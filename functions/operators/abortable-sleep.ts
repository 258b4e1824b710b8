/**
 * Waits `ms`, rejecting with the signal's reason when the attempt is aborted (timeout, shutdown).
 * The abort listener is removed after each wait, so an operator polling for hours does not
 * pile listeners onto the attempt's signal.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
