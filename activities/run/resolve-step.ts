/**
 * Resolves a step to its cache key and, unless recomputation is forced, to its cached output.
 * key = hash(step kind, step code version, resolved step config, input artifact hashes); the
 * step's name is left out, so two steps that would compute the same thing share one artifact.
 * Reports and comparisons are the exception: their output names the run (a report's title and
 * provenance, a comparison's rows), so their key names the experiment. Two experiments with the
 * same inputs (the quickstart and a finding that extends it) each get their own, named for
 * themselves; reruns of one experiment share it.
 * Files read from outside the store (imports, taxonomies, user models) count as inputs by their
 * content; the code version changes with the kind's code (step-code.ts).
 */
import type { StepConfig } from '../../lib/config/schema';
import { cacheKey } from '../../lib/artifacts/store';
import { ARTIFACT_KINDS } from '../../lib/config/steps';
import type { ResolveStepInput, ResolveStepResult } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { externalFingerprints } from './fingerprint';
import { stepCodeVersion } from './step-code';


/**
 * Settings that say how or where a step runs, never what it computes: changing them reuses the
 * cached output (evaluation shards give identical predictions, tested in evaluate.test.ts).
 */
export const OPERATIONAL_KEYS: Partial<Record<StepConfig['kind'], readonly string[]>> = {
  finetune: ['provider', 'slurm', 'stallTimeout'],
  evaluate: ['shards'],
};

/** Kinds whose output names the run that built it. */
const RUN_NAMING_KINDS: ReadonlySet<StepConfig['kind']> = new Set(['report', 'compare']);

export function stepCacheKey(step: StepConfig, inputs: Record<string, { sha256: string }>, experiment: string): string {
  const operational = new Set(['name', ...(OPERATIONAL_KEYS[step.kind] ?? [])]);
  const config = Object.fromEntries(Object.entries(step).filter(([k]) => !operational.has(k)));
  return cacheKey({
    kind: step.kind,
    version: stepCodeVersion(step.kind),
    config,
    inputs: Object.fromEntries(Object.entries(inputs).map(([role, ref]) => [role, ref.sha256])),
    ...(RUN_NAMING_KINDS.has(step.kind) ? { experiment } : {}),
  });
}

export function resolveStep(deps: ActivityDeps) {
  return async ({ step, inputs, noCache, experiment }: ResolveStepInput): Promise<ResolveStepResult> => {
    const key = stepCacheKey(step, { ...inputs, ...(await externalFingerprints(step, undefined, deps.store.fileDigests)) }, experiment);
    if (noCache) return { key, cached: null };
    const artifact = await deps.store.verify(ARTIFACT_KINDS[step.kind], key);
    if (!artifact) return { key, cached: null };
    const summary = (deps.store.readManifest(artifact).meta.summary ?? {}) as Record<string, unknown>;
    return { key, cached: { artifact, summary, cached: true } };
  };
}
