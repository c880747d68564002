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

export function defaultDeps(settings: Settings): ActivityDeps {
  const home = settings.LABOR_LLM_HOME;
  return {
    settings,
    store: new ArtifactStore(join(home, 'artifacts')),
    jobsDir: join(home, 'jobs'),
    workDir: join(home, 'work'),
    runsDir: join(home, 'runs'),
  };
}
