/**
 * runExperimentWorkflow: runs an experiment's steps in dependency order, independent steps in
 * parallel. Each step is first resolved to its cache key; a cached output is reused, otherwise
 * the step runs as an activity (data, encode, ...) or a child workflow (finetune, fit, evaluate). The
 * workflow only decides: payloads are artifact references and small summaries.
 */
import {
  ApplicationFailure, CancellationScope, executeChild, isCancellation, proxyActivities, setHandler,
  upsertSearchAttributes, workflowInfo, defineQuery,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { StepConfig } from '../lib/config/schema';
import { inputArtifacts, stepInputs } from '../lib/config/steps';
import { Dataset, Model, RunStatus, Step } from '../temporal/search-attributes';
import { computeOptions, NON_RETRYABLE, quickOptions } from './activity-options';
import { toSeconds } from './durations';
import { evaluateWorkflow } from './evaluate';
import { fineTuneWorkflow } from './fine-tune';
import type { RunExperimentInput, RunExperimentResult, RunProgress, RunSoFar, StepRunInput, StepState } from '../temporal/run-types';

type Activities = ReturnType<typeof createActivities>;

export const progressQuery = defineQuery<RunProgress>('progress');

/** Child workflow id of a step: derived from the run's workflow id, so reruns find it again. */
export const childWorkflowId = (parentId: string, step: string) => `${parentId}/${step}`;

export async function runExperimentWorkflow(input: RunExperimentInput): Promise<RunExperimentResult> {
  const { config } = input;
  const info = workflowInfo();
  const timeouts = { heartbeatS: toSeconds(config.timeouts.heartbeat), stepS: toSeconds(config.timeouts.step) };
  const { queues } = input;
  const quick = proxyActivities<Activities>(quickOptions(queues.cpu));
  const compute = proxyActivities<Activities>(computeOptions(timeouts, queues));
  const startedAt = Date.now();

  const states = new Map<string, StepState>(config.steps.map((s) => [s.name, { name: s.name, kind: s.kind, status: 'pending' }]));
  const progress: RunProgress = { experiment: config.name, configHash: input.configHash, status: 'running', steps: [...states.values()] };
  setHandler(progressQuery, () => ({ ...progress, steps: [...states.values()] }));
  upsertSearchAttributes([{ key: RunStatus, value: 'running' }]);

  // Steps to recompute: the named ones and everything downstream of them.
  const forced = new Set(input.rerun ?? []);
  for (const s of config.steps) if (stepInputs(s).some((i) => forced.has(i.step))) forced.add(s.name);

  const runStep = async (step: StepConfig): Promise<void> => {
    const state = states.get(step.name)!;
    // The named steps' artifacts and those behind them: the panel behind an evaluation's text, and so on (steps.ts).
    const inputs = inputArtifacts(config.steps, step, (name) => states.get(name)!.artifact!);
    Object.assign(state, { status: 'running', startedAt: Date.now() });
    upsertSearchAttributes([{ key: Step, value: step.name }]);
    // Summaries name the step on each event in the Web UI's history.
    const resolved = await quick.resolveStep.executeWithOptions(
      { ...quickOptions(queues.cpu), summary: `${step.name}: cache lookup` },
      [{ step, inputs, noCache: !!input.noCache || forced.has(step.name), experiment: config.name }],
    );
    state.key = resolved.key;
    if (resolved.cached) {
      Object.assign(state, { status: 'cached', artifact: resolved.cached.artifact, summary: resolved.cached.summary, finishedAt: Date.now() });
      return;
    }
    const fresh = input.noCache || forced.has(step.name) ? { fresh: info.runId } : {};
    const stepInput: StepRunInput = { runId: info.workflowId, experiment: config.name, step, key: resolved.key, inputs, seed: config.seed, timeouts, queues, ...fresh };
    if (step.kind === 'report') stepInput.run = runSoFar();
    const summary = `${step.name}: ${step.kind}`;
    const childOptions = { workflowId: childWorkflowId(info.workflowId, step.name), taskQueue: queues.cpu, args: [stepInput] as [StepRunInput], staticSummary: summary };
    // Whole careers sampled through CUDA need a GPU worker.
    const queue = step.kind === 'analyze' && step.trajectories?.scorer.device === 'cuda' ? 'gpu' : 'cpu';
    const withSummary = { ...computeOptions(timeouts, queues, queue), summary };
    const result =
      step.kind === 'data' ? await compute.prepareData.executeWithOptions(withSummary, [stepInput])
      : step.kind === 'encode' ? await compute.encodeText.executeWithOptions(withSummary, [stepInput])
      : step.kind === 'analyze' ? await compute.analyzeEvaluations.executeWithOptions(withSummary, [stepInput])
      : step.kind === 'report' ? await compute.buildReport.executeWithOptions(withSummary, [stepInput])
      : step.kind === 'compare' ? await compute.compareModels.executeWithOptions(withSummary, [stepInput])
      : step.kind === 'finetune' || step.kind === 'fit' ? await executeChild(fineTuneWorkflow, childOptions)
      : await executeChild(evaluateWorkflow, childOptions);
    Object.assign(state, { status: 'done', artifact: result.artifact, summary: result.summary, finishedAt: Date.now(), fraction: 1 });
    if (step.kind === 'data') upsertSearchAttributes([{ key: Dataset, value: step.datasetName ?? step.name }]);
    if (step.kind === 'finetune') upsertSearchAttributes([{ key: Model, value: step.name }]);
  };

  // Dependency-ordered scheduling: start every step whose inputs are ready; stop starting new
  // steps after a failure, but let the running ones finish.
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  try {
    while (true) {
      if (!failure) {
        for (const step of config.steps) {
          const state = states.get(step.name)!;
          const ready = stepInputs(step).every((i) => ['done', 'cached'].includes(states.get(i.step)!.status));
          if (state.status === 'pending' && ready && !running.has(step.name)) {
            running.set(
              step.name,
              runStep(step).catch((err) => {
                Object.assign(state, { status: 'failed', error: describe(err), finishedAt: Date.now() });
                failure ??= err;
              }),
            );
          }
        }
      }
      if (running.size === 0) break;
      const finished = await Promise.race([...running].map(([name, p]) => p.then(() => name)));
      running.delete(finished);
      if (isCancellation(failure)) throw failure;
    }
  } catch (err) {
    if (isCancellation(err)) {
      progress.status = 'cancelled';
      await CancellationScope.nonCancellable(() => finish('cancelled'));
    }
    throw err;
  }

  for (const s of states.values()) if (s.status === 'pending') s.status = 'skipped';
  if (failure) {
    const manifestPath = await finish('failed');
    const failed = [...states.values()].filter((s) => s.status === 'failed');
    // Bad input keeps its type (InvalidData...), so the CLI can tell it from a failed computation.
    throw ApplicationFailure.nonRetryable(
      `${failed.map((s) => `step '${s.name}' failed: ${s.error}`).join('\n')}\nmanifest: ${manifestPath}`,
      NON_RETRYABLE.includes(innermost(failure).type ?? '') ? innermost(failure).type : 'StepFailed',
    );
  }
  return { status: 'succeeded', manifestPath: await finish('succeeded'), steps: [...states.values()] };

  function runSoFar(): RunSoFar {
    return {
      workflowId: info.workflowId, runId: info.runId, configFile: input.configFile, config, configHash: input.configHash,
      steps: [...states.values()], startedAt,
    };
  }

  async function finish(status: RunProgress['status']): Promise<string> {
    progress.status = status;
    upsertSearchAttributes([{ key: RunStatus, value: status }]);
    const { path } = await quick.writeRunManifest({ ...runSoFar(), status, finishedAt: Date.now() });
    progress.manifestPath = path;
    return path;
  }
}

/** The innermost failure of a chain: an activity's own error, not "Activity task failed". */
function innermost(err: unknown): { message?: string; type?: string } {
  let e = err as { message?: string; type?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e ?? {};
}

function describe(err: unknown): string {
  return innermost(err).message ?? String(err);
}
