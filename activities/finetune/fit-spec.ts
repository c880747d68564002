/**
 * The logit job's spec (baselines/README.md) from a fit step and its inputs: the encoded text's
 * point features and the panel's taxonomy. A pure function of both, like trainingSpec, so the
 * job id (its hash) is stable across retries and workers.
 */
import { join } from 'node:path';
import { FILES } from '../../lib/artifacts/contracts';
import type { FitStepConfig } from '../../lib/config/schema';
import type { StepRunInput } from '../../temporal/run-types';

export function fitSpec(input: StepRunInput): Record<string, unknown> {
  const step = input.step as FitStepConfig;
  return {
    features: join(input.inputs.data.path, FILES.pointFeatures),
    taxonomy: join(input.inputs.panel.path, FILES.taxonomy),
    penalties: step.logit.penalties,
    max_iter: step.logit.maxIter,
    use_weights: step.logit.useWeights,
    predict_splits: step.predictSplits,
    // Fixed threads keep the fit bit-for-bit reproducible (and its resume exact).
    threads: step.threads ?? 1,
  };
}
