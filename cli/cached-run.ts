/**
 * A rerun whose every step is already in the store has nothing to run: each step's cache key is
 * resolved here, in config order (a step names only earlier steps), by the same lookup the
 * workflow makes (resolveStep), and when all are cached the results print at once. No run is
 * started, so Temporal keeps the runs that computed the artifacts and gains no empty one; a step
 * missing or damaged, `--no-cache` or `--rerun` go through a durable run as before. This keeps
 * the Temporal SDK, the server and the workers out of a fully cached rerun.
 */
import { activityDeps } from '../activities/deps';
import { resolveStep } from '../activities/run/resolve-step';
import type { LoadedConfig } from '../lib/config/load';
import { inputArtifacts } from '../lib/config/steps';
import type { Settings } from '../lib/env';
import type { ArtifactRef } from '../lib/artifacts/store';
import type { StepState } from '../temporal/run-types';

/** Every step's cached state, or undefined as soon as one step is not cached. */
export async function cachedSteps(loaded: LoadedConfig, settings: Settings): Promise<StepState[] | undefined> {
  const resolve = resolveStep(activityDeps(settings));
  const { steps } = loaded.config;
  const artifacts = new Map<string, ArtifactRef>();
  const states: StepState[] = [];
  for (const step of steps) {
    const inputs = inputArtifacts(steps, step, (name) => artifacts.get(name)!);
    const { key, cached } = await resolve({ step, inputs, noCache: false, experiment: loaded.config.name });
    if (!cached) return undefined;
    artifacts.set(step.name, cached.artifact);
    states.push({ name: step.name, kind: step.kind, status: 'cached', key, artifact: cached.artifact, summary: cached.summary });
  }
  return states;
}
