/**
 * The job spec of a fit step, from the step and its inputs (the encoded text's point features,
 * the panel's taxonomy, for a career model the pretraining population's point features): the
 * logit's (baselines/README.md) or the CAREER-style model's (trainer/README.md). A pure function
 * of both, like trainingSpec, so the job id (its hash) is stable across retries and workers.
 */
import { join } from 'node:path';
import { FILES } from '../../lib/artifacts/contracts';
import type { FitStepConfig } from '../../lib/config/schema';
import type { StepRunInput } from '../../temporal/run-types';

export function fitSpec(input: StepRunInput): Record<string, unknown> {
  const step = input.step as FitStepConfig;
  const common = {
    features: join(input.inputs.data.path, FILES.pointFeatures),
    taxonomy: join(input.inputs.panel.path, FILES.taxonomy),
    predict_splits: step.predictSplits,
    // Fixed threads keep the fit bit-for-bit reproducible (and its resume exact).
    threads: step.threads ?? 1,
  };
  if (step.logit) {
    return { ...common, penalties: step.logit.penalties, max_iter: step.logit.maxIter, use_weights: step.logit.useWeights };
  }
  const c = step.career!;
  return {
    ...common,
    pretrain_features: input.inputs.pretrain ? join(input.inputs.pretrain.path, FILES.pointFeatures) : null,
    layers: c.layers,
    hidden: c.hidden,
    heads: c.heads,
    dropout: c.dropout,
    max_len: c.maxLen,
    epochs: c.epochs,
    pretrain_epochs: input.inputs.pretrain ? c.pretrainEpochs : 0,
    batch_size: c.batchSize,
    learning_rate: c.learningRate,
    weight_decay: c.weightDecay,
    warmup_steps: c.warmupSteps,
    eval_every: c.evalEvery,
    early_stopping_patience: c.earlyStoppingPatience ?? null,
    use_weights: c.useWeights,
    seed: step.seed ?? input.seed,
    device: c.device,
  };
}
