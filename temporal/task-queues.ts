/**
 * Task queues: cpu for data, text and metrics; gpu for training jobs and scoring. Each store has
 * its own pair, so a worker only ever runs steps of runs of its own store. Workflow-safe.
 */
export type QueueName = 'cpu' | 'gpu';

/** `<prefix>-<store id>-cpu|gpu`. */
export const storeQueues = (prefix: string, storeId: string): Record<QueueName, string> => ({
  cpu: `${prefix}-${storeId}-cpu`,
  gpu: `${prefix}-${storeId}-gpu`,
});
