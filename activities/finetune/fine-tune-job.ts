/**
 * Job activities of finetune and fit steps: submit a job to its provider (idempotent by spec hash
 * and the forced run's fresh token), wait for it while heartbeating its progress, cancel or
 * abandon it, and collect its output (the exported model, or the fitted baseline's
 * distributions) into the store. A fit step's job is the logit's Python job, run the same way.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { activityInfo, heartbeat, sleep, CancelledFailure } from '@temporalio/activity';
import { createProvider, jobIdForSpec, JobNotFound, type JobProvider, type JobStatus } from '../../lib/finetune';
import { careerCommand, defaultTrainerCommand, logitCommand, type TrainerCommand } from '../../lib/finetune/trainer-command';
import { PROJECT_ROOT } from '../../lib/env';
import { linkTree } from '../../lib/artifacts/link-tree';
import { fingerprintPath } from '../../lib/artifacts/fingerprint-path';
import type { FinetuneStepConfig, FitStepConfig } from '../../lib/config/schema';
import { ARTIFACT_KINDS } from '../../lib/config/steps';
import type { FineTuneJobRef, FineTuneStatus, StepResult, StepRunInput } from '../../temporal/run-types';
import type { ActivityDeps } from '../deps';
import { fitSpec } from './fit-spec';
import { trainingSpec } from './training-spec';

type JobStep = FinetuneStepConfig | FitStepConfig;

export function providerFor(deps: ActivityDeps, name: 'local' | 'slurm', step?: JobStep, trainer?: TrainerCommand): JobProvider {
  trainer ??= { ...defaultTrainerCommand(PROJECT_ROOT), python: deps.settings.LABOR_LLM_PYTHON };
  if (step?.kind === 'fit') trainer = step.model === 'logit' ? logitCommand(trainer, PROJECT_ROOT) : careerCommand(trainer);
  return createProvider(name, { jobsRoot: deps.jobsDir, trainer, slurm: step?.slurm ?? {} });
}

/** The job's spec: the trainer's for a finetune step, the logit's for a fit step. */
const jobSpec = (input: StepRunInput) => ((input.step as JobStep).kind === 'fit' ? fitSpec(input) : trainingSpec(input));

/** A poll's answer: the status, plus a mark that changes whenever the job makes progress. */
export interface FineTunePoll extends FineTuneStatus {
  mark?: string;
}

/** The trainer's step and the time it last reported progress (status.json updated_at). */
function progressMark(status: JobStatus): string | undefined {
  const p = status.progress;
  return p ? `${p.step}@${p.updated_at ?? ''}` : undefined;
}

function formatDuration(s: number): string {
  return s >= 3600 ? `${(s / 3600).toFixed(1)}h` : s >= 60 ? `${Math.round(s / 60)}m` : `${Math.round(s)}s`;
}

/**
 * One line for the CLI and the UI: "step 120/400 · loss 2.31 · val 2.40 · 1,234 tok/s · ETA 3m".
 * The step's own status ("running") is shown next to it already, so the job's state is named only
 * when it says something more: queued, or ended.
 */
export function describeJob(status: JobStatus): FineTuneStatus {
  const p = status.progress;
  const parts: string[] = status.state === 'running' ? (p ? [] : ['training job starting']) : [status.state === 'pending' ? 'training job queued' : `training job ${status.state}`];
  let fraction: number | undefined;
  if (p) {
    parts.push(`step ${p.step}/${p.total_steps}`);
    if (p.loss != null) parts.push(`loss ${p.loss.toFixed(3)}`);
    if (p.val_loss != null) parts.push(`val ${p.val_loss.toFixed(3)}`);
    if (p.tokens_per_s != null) parts.push(`${Math.round(p.tokens_per_s).toLocaleString('en-US')} tok/s`);
    if (p.eta_s != null && status.state === 'running') parts.push(`ETA ${formatDuration(p.eta_s)}`);
    fraction = p.total_steps > 0 ? Math.min(1, p.step / p.total_steps) : undefined;
  }
  return { state: status.state, detail: parts.join(' · '), fraction, error: status.error };
}

/** What a LoRA step's adapters file says about itself (labor_trainer/model_folder.py). */
const ADAPTER_CONFIG = 'adapter_config.json';

/**
 * The base a LoRA step's adapters need, by path and digest (recorded in the artifact's manifest):
 * an earlier step's artifact and its content hash, or an outside folder and its fingerprint.
 * The folder's base.json names the same path, for the loaders.
 */
async function adapterBase(deps: ActivityDeps, input: StepRunInput): Promise<{ path: string; sha256: string; step?: string }> {
  const base = (input.step as FinetuneStepConfig).base;
  if ('step' in base) return { step: base.step, path: input.inputs['base.step'].path, sha256: input.inputs['base.step'].sha256 };
  if ('path' in base) return { path: resolve(base.path), sha256: await fingerprintPath(base.path, deps.store.fileDigests) };
  throw new Error(`finetune step '${input.step.name}': LoRA adapters on a fresh base.init are stored merged, yet the output holds adapters`);
}

/** `trainer`: tests run a stand-in with the same command-line contract. */
export function fineTuneActivities(deps: ActivityDeps, trainer?: TrainerCommand) {
  const provider = (name: 'local' | 'slurm', step?: JobStep) => providerFor(deps, name, step, trainer);
  return {
    async submitFineTuneJob(input: StepRunInput): Promise<FineTuneJobRef> {
      const step = input.step as JobStep;
      const { jobId, jobDir } = await provider(step.provider, step).submit(jobSpec(input), { fresh: input.fresh });
      return { provider: step.provider, jobId, jobDir };
    },

    /**
     * Cancels the job a step's submit may have started, found by its deterministic id: for a run
     * cancelled before the submit's answer reached the workflow. No job folder: nothing to do.
     */
    async cancelFineTuneStep(input: StepRunInput): Promise<void> {
      const step = input.step as JobStep;
      try {
        await provider(step.provider, step).cancel(jobIdForSpec(jobSpec(input), input.fresh));
      } catch (err) {
        if (!(err instanceof JobNotFound)) throw err;
      }
    },

    /** Polls until the job ends or `maxWaitS` passes, heartbeating the status (shown in the UI). */
    async awaitFineTuneJob({ job, maxWaitS }: { job: FineTuneJobRef; maxWaitS: number }): Promise<FineTunePoll> {
      const jobs = provider(job.provider);
      const until = Date.now() + maxWaitS * 1000;
      const pollMs = Math.min(2000, Math.max(200, activityInfo().heartbeatTimeoutMs ?? 2000) / 3);
      while (true) {
        const current = await jobs.status(job.jobId);
        const status: FineTunePoll = { ...describeJob(current), mark: progressMark(current) };
        heartbeat(status);
        if (status.state !== 'pending' && status.state !== 'running') return status;
        if (Date.now() >= until) return status;
        try {
          await sleep(pollMs);
        } catch (err) {
          if (err instanceof CancelledFailure) return status;
          throw err;
        }
      }
    },

    async cancelFineTuneJob(job: FineTuneJobRef): Promise<void> {
      await provider(job.provider).cancel(job.jobId);
    },

    /** Stops a job that made no progress and marks it lost, so that a resubmit resumes it. */
    async abandonFineTuneJob({ job, reason }: { job: FineTuneJobRef; reason: string }): Promise<void> {
      await provider(job.provider).abandon(job.jobId, reason);
    },

    /**
     * The job's output enters the store in place (hard links, no bytes copied: link-tree.ts) and is
     * hashed once, heartbeating (the store's progress), so its timeouts are heartbeat-based.
     */
    async collectFineTuneModel(input: StepRunInput & { job: FineTuneJobRef }): Promise<StepResult> {
      const { modelDir, metrics } = await provider(input.job.provider).result(input.job.jobId);
      const kind = (input.step as JobStep).kind;
      const summary = kind === 'fit'
        ? { jobId: input.job.jobId, bestPenalty: metrics.best_penalty, steps: metrics.steps, valPerplexity: metrics.val_perplexity, params: metrics.n_params, fitS: metrics.fit_s }
        : {
            jobId: input.job.jobId,
            bestValLoss: metrics.best_val_loss,
            steps: metrics.steps,
            tokensPerS: metrics.tokens_per_s,
            exportMaxAbsDiff: metrics.export_max_abs_diff,
            params: metrics.params,
          };
      const artifact = await deps.store.create(ARTIFACT_KINDS[kind], input.key, async (dir) => {
        const placed = await linkTree(modelDir, dir, () => heartbeat());
        const base = existsSync(join(dir, ADAPTER_CONFIG)) ? await adapterBase(deps, input) : undefined;
        return { summary, metrics, jobId: input.job.jobId, jobDir: input.job.jobDir, placed, ...(base ? { base } : {}) };
      });
      return { artifact, summary };
    },
  };
}
