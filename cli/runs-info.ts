/** Small queries about runs and queues used by several commands (Temporal client only, no worker). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Session } from './session';

/** Workers that polled the queue for workflow tasks within the last `withinS` seconds (long polls last about a minute). */
export async function recentPollers(session: Session, taskQueue: string, withinS = 90): Promise<number> {
  const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;
  const res = await session.client.workflowService.describeTaskQueue({
    namespace: session.settings.TEMPORAL_NAMESPACE,
    taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  const since = Date.now() / 1000 - withinS;
  return (res.pollers ?? []).filter((p) => Number(p.lastAccessTime?.seconds ?? 0) >= since).length;
}

/** Waits until the run closes; its Temporal status name, or undefined after `timeoutMs`. */
export async function waitForClose(handle: WorkflowHandle, timeoutMs: number): Promise<string | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return status.name;
    if (Date.now() >= until) return undefined;
    await sleep(250);
  }
}
