/** What activities depend on, injected by the worker (or by tests). */
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ArtifactStore } from '../lib/artifacts/store';
import type { Settings } from '../lib/env';

export interface ActivityDeps {
  settings: Settings;
  store: ArtifactStore;
  /** Folder of training jobs (one sub-folder per job). */
  jobsDir: string;
  /** Scratch space for resumable work (evaluation shards). */
  workDir: string;
  /** Run manifests. */
  runsDir: string;
}

/**
 * Hashing a large artifact is progress: it heartbeats the activity doing it, so an activity
 * whose thread work is done does not time out while its files are hashed (none of these
 * activities resumes from heartbeat details). Outside an activity it does nothing.
 */
function heartbeatWhileHashing(): void {
  try {
    Context.current().heartbeat();
  } catch {
    /* not inside an activity (the CLI, a test) */
  }
}

export function defaultDeps(settings: Settings): ActivityDeps {
  const home = settings.LABOR_LLM_HOME;
  return {
    settings,
    store: new ArtifactStore(join(home, 'artifacts'), { onProgress: heartbeatWhileHashing }),
    jobsDir: join(home, 'jobs'),
    workDir: join(home, 'work'),
    runsDir: join(home, 'runs'),
  };
}
