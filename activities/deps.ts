/** What activities depend on, injected by the worker (or by tests). */
import { join } from 'node:path';
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
 * The store's folders under LABOR_LLM_HOME. `onHashProgress` runs while large files are hashed:
 * the worker heartbeats there (activities/index.ts defaultDeps); the CLI passes nothing.
 */
export function activityDeps(settings: Settings, onHashProgress?: () => void): ActivityDeps {
  const home = settings.LABOR_LLM_HOME;
  return {
    settings,
    store: new ArtifactStore(join(home, 'artifacts'), { onProgress: onHashProgress }),
    jobsDir: join(home, 'jobs'),
    workDir: join(home, 'work'),
    runsDir: join(home, 'runs'),
  };
}
