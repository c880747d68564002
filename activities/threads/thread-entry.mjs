// Entry of an activity's worker thread: loads the TypeScript module named in workerData (through
// tsx), calls the exported function with the arguments and a progress callback, and posts back
// the result or the error (type and message kept, so typed failures survive the thread hop).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { module, fn, args } = workerData;
try {
  const mod = await import(module);
  // Loading the task's modules can take seconds on a busy machine: that is progress too.
  parentPort.postMessage({ kind: 'loaded' });
  const result = await mod[fn](...args, (progress) => parentPort.postMessage({ kind: 'progress', progress }));
  parentPort.postMessage({ kind: 'result', result });
} catch (err) {
  parentPort.postMessage({
    kind: 'error',
    error: {
      name: err?.name, message: err?.message ?? String(err), type: err?.type, nonRetryable: err?.nonRetryable, stack: err?.stack,
      // errno errors keep their code and path, so the store can tell a full or read-only disk.
      code: typeof err?.code === 'string' ? err.code : undefined, path: typeof err?.path === 'string' ? err.path : undefined,
    },
  });
}
