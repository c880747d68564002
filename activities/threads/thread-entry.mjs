// Entry of an activity's worker thread: loads the TypeScript module named in workerData (through
// tsx), calls the exported function with the arguments and a progress callback, and posts back
// the result or the error (type and message kept, so typed failures survive the thread hop).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { module, fn, args } = workerData;
try {
  const mod = await import(module);
  const result = await mod[fn](...args, (progress) => parentPort.postMessage({ kind: 'progress', progress }));
  parentPort.postMessage({ kind: 'result', result });
} catch (err) {
  parentPort.postMessage({
    kind: 'error',
    error: { name: err?.name, message: err?.message ?? String(err), type: err?.type, nonRetryable: err?.nonRetryable, stack: err?.stack },
  });
}
