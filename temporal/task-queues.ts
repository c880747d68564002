/** Task queues: cpu for data, text and metrics; gpu for training jobs and scoring. Workflow-safe. */
export const TASK_QUEUES = { cpu: 'labor-llm-cpu', gpu: 'labor-llm-gpu' } as const;
export type QueueName = keyof typeof TASK_QUEUES;
