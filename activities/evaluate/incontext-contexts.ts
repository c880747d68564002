/**
 * The contexts a shard scores when the evaluate step has `incontext`: each point's context with
 * its training-split examples before it (lib/text/incontext.ts), fitted to the same token budget
 * the scorers use (the model's positions minus the longest candidate continuation, special
 * prefix included), so no scorer ever truncates an example. All of the shard's contexts are
 * built up front, so a resumed shard reports the same statistics.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readArrowFile } from '../../lib/artifacts/arrow-io';
import { FILES, rowsOf, type PersonRow } from '../../lib/artifacts/contracts';
import type { EvaluateStepConfig } from '../../lib/config/schema';
import { InvalidModel } from '../../lib/errors';
import { loadLocalTokenizer, modelDims } from '../../lib/lm/model-folder';
import { encoderOf, specialPrefix, tokenizeCandidates } from '../../lib/lm/tokenize';
import { readEncoded } from '../../lib/text';
import { exampleSampler, fitExamples } from '../../lib/text/incontext';
import type { SelectedPoints } from './points';
import type { IncontextShardStats } from './incontext-summary';

export interface ShardContexts {
  /** The context of point `i` (an index of the step's points, within the shard). */
  context: (i: number) => string;
  incontext?: IncontextShardStats;
}

export interface ShardContextsInput {
  encodedDir: string;
  panelDir: string;
  modelDir: string;
  step: EvaluateStepConfig;
  start: number;
  end: number;
}

export async function shardContexts(task: ShardContextsInput, points: SelectedPoints, labels: readonly string[]): Promise<ShardContexts> {
  const ic = task.step.incontext;
  if (!ic) return { context: points.context };
  const options = { k: ic.k, seed: ic.seed ?? task.step.seed ?? 0, selection: ic.selection };
  const genderOf = ic.selection === 'same-gender' ? readGenders(task.panelDir) : undefined;
  const sample = exampleSampler(readEncoded(task.encodedDir).texts, options, genderOf && ((id) => genderOf.get(id)));

  const configFile = join(resolve(task.modelDir), 'config.json');
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (err) {
    throw new InvalidModel(`${configFile}: unreadable (${(err as Error).message})`);
  }
  const { maxPositions } = modelDims(config, configFile);
  const tokenizer = await loadLocalTokenizer(task.modelDir);
  const encode = encoderOf(tokenizer);
  const prefix = specialPrefix(tokenizer).length;
  // The scorers' budget (scorer-base.ts, labor_scorer/tree_scorer.py): context + any continuation fits.
  const maxTokens = maxPositions - tokenizeCandidates(tokenizer, labels).longest;

  const contexts: string[] = [];
  let used = 0;
  let fewer = 0;
  for (let i = task.start; i < task.end; i++) {
    const fitted = fitExamples(sample(points.person_id[i], points.year[i]), points.context(i), (t) => prefix + encode(t).length, maxTokens);
    contexts.push(fitted.text);
    used += fitted.used;
    if (fitted.used < ic.k) fewer++;
  }
  return {
    context: (i) => contexts[i - task.start],
    incontext: { ...options, points: task.end - task.start, examples_used: used, points_with_fewer: fewer },
  };
}

function readGenders(panelDir: string): Map<string, string> {
  const rows = rowsOf<PersonRow>(readArrowFile(join(panelDir, FILES.persons)));
  return new Map(rows.map((r) => [r.person_id, r.gender]));
}
