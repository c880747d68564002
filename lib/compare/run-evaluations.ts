/**
 * The evaluate steps of a finished run, from its manifest (activities/run/write-manifest.ts):
 * each step's output folder, what it scored, and the panel behind its encoded text (whose
 * taxonomy the evaluation's distributions follow).
 */
import { existsSync, readFileSync } from 'node:fs';
import { InvalidData } from '../errors';

/** One evaluate step's output, as the comparison reads it. */
export interface EvaluationSource {
  /** Short run id. */
  run: string;
  step: string;
  /** The finetune step it scored, or the model folder. */
  scored?: string;
  /** The evaluate step's artifact folder: metrics.json and one folder of predictions per model. */
  dir: string;
  /** The panel folder behind its encoded text (taxonomy.arrow). */
  panelDir?: string;
}

/** The parts of a run manifest the comparison reads. */
export interface ManifestForCompare {
  workflowId?: string;
  runId?: string;
  experiment?: string;
  status: string;
  steps: { name: string; kind: string; output?: { path: string } }[];
  config: { steps: { name: string; kind: string; data?: string; input?: string; model?: string | { path: string } }[] };
}

export function readRunManifest(path: string): ManifestForCompare {
  if (!existsSync(path)) throw new InvalidData(`run manifest not found: ${path}`);
  let m: Partial<ManifestForCompare>;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidData(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!m || typeof m.status !== 'string' || !Array.isArray(m.steps) || !Array.isArray(m.config?.steps)) {
    throw new InvalidData(`${path}: not a run manifest (expected status, steps and config.steps)`);
  }
  return m as ManifestForCompare;
}

/** What an evaluate step (as configured) scored: its finetune step, or the model folder. */
export function scoredModel(step: { model?: unknown } | undefined): string | undefined {
  const model = step?.model as string | { path?: string } | undefined;
  return typeof model === 'string' ? model : model?.path;
}

export function evaluationsOfRun(run: string, manifest: ManifestForCompare, manifestPath = 'its manifest'): EvaluationSource[] {
  if (manifest.status !== 'succeeded') {
    throw new InvalidData(`run ${run} has not succeeded (${manifestPath} says '${manifest.status}'): compare reads finished runs only`);
  }
  const configs = manifest.config.steps;
  const outputOf = (name: string | undefined) => manifest.steps.find((s) => s.name === name)?.output?.path;
  const evaluations = configs.filter((s) => s.kind === 'evaluate');
  if (evaluations.length === 0) {
    throw new InvalidData(`run ${run} has no evaluate step: nothing to compare (its steps: ${configs.map((s) => `${s.name} (${s.kind})`).join(', ')})`);
  }
  return evaluations.map((s) => {
    const dir = outputOf(s.name);
    if (!dir) throw new InvalidData(`run ${run}: evaluate step '${s.name}' has no output in ${manifestPath}`);
    const encode = configs.find((c) => c.name === s.data);
    return {
      run,
      step: s.name,
      scored: scoredModel(s),
      dir,
      panelDir: encode?.kind === 'encode' ? outputOf(encode.input) : undefined,
    };
  });
}
