/**
 * The trainer's spec (trainer/README.md) from a finetune step and its input artifacts. The spec
 * is a pure function of both, so the job id (its hash) is stable across retries and workers.
 */
import { join } from 'node:path';
import { FILES } from '../../lib/artifacts/contracts';
import type { FinetuneStepConfig } from '../../lib/config/schema';
import { textRoles } from '../../lib/config/steps';
import type { StepRunInput } from '../../temporal/run-types';

export function trainingSpec(input: StepRunInput): Record<string, unknown> {
  const step = input.step as FinetuneStepConfig;
  const textsOf = (role: string) => join(input.inputs[role].path, FILES.texts);
  const base =
    'init' in step.base
      ? {
          init: {
            architecture: step.base.init.architecture, layers: step.base.init.layers, hidden: step.base.init.hidden,
            heads: step.base.init.heads, intermediate: step.base.init.intermediate ?? step.base.init.hidden * 4,
            vocab_size: step.base.init.vocabSize, max_positions: step.base.init.maxPositions,
          },
        }
      : 'path' in step.base
        ? { path: step.base.path }
        : { path: input.inputs['base.step'].path };
  return {
    // One encode step: a path, as before pooling existed (so its spec and job id are unchanged); several: a list, in order.
    texts: typeof step.data === 'string' ? textsOf('data') : textRoles(step.data).map(({ role }) => textsOf(role)),
    base,
    method: step.method,
    ...(step.method === 'lora'
      ? {
          lora: {
            r: step.lora?.r ?? 8, alpha: step.lora?.alpha ?? 16, dropout: step.lora?.dropout ?? 0.05, target_modules: step.lora?.targetModules ?? ['q_proj', 'v_proj'],
            // Only when asked: the specs (and job ids) of existing LoRA steps stay the same.
            ...(step.lora?.merge ? { merge: true } : {}),
          },
        }
      : {}),
    epochs: step.epochs,
    max_steps: step.maxSteps ?? null,
    learning_rate: step.learningRate,
    schedule: { warmup_steps: step.schedule.warmupSteps, decay: step.schedule.decay },
    batch_size: step.batchSize,
    grad_accum: step.gradAccum,
    max_seq_len: step.maxSeqLen,
    packing: step.packing,
    gradient_checkpointing: step.gradientCheckpointing,
    seed: step.seed ?? input.seed,
    eval_every: step.evalEvery,
    early_stopping_patience: step.earlyStoppingPatience ?? null,
    precision: step.precision,
    device: step.device,
    checkpoint_every: step.evalEvery,
    threads: step.threads ?? null,
    // Only when not the default: specs (and so job ids) of existing steps stay the same.
    ...(step.export === 'none' ? { export: 'none' } : {}),
  };
}
