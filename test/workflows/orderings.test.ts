/**
 * The orderings the synthetic truth implies, from a real run at test size
 * (test/fixtures/configs/orderings.yaml: resumes train a 2-layer foundation model from scratch,
 * the survey fine-tunes it, both are scored on every valid state of all the survey's test points):
 * the oracle beats every model, the fine-tuned model beats the foundation model alone, and it
 * beats the first-order Markov chain, each by a paired person-bootstrap interval of the excess
 * log-loss that excludes zero. The run is deterministic on CPU; a change that makes training,
 * scoring or the baselines worse shows here as an interval that reaches zero.
 *
 * The size is chosen, not incidental. With 1,500 resumes (two epochs) the Markov chain beat the
 * fine-tuned model by about 10%; with 10,000 the foundation model alone was within 2% of the
 * fine-tuned one, an interval across zero (as with 30,000 resumes in experiments/findings/README.md,
 * finding 6: both populations share one transition model, so a foundation model that has seen
 * enough careers needs little adaptation). One epoch over 8,000 resumes sits between, where all
 * three orderings hold: fine-tuned 1.27 times the oracle's perplexity, Markov 1.44, foundation 1.56.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareTable, Paired } from '../../lib/compare';
import { loadConfig } from '../../lib/config/load';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The paired excess log-loss of a row against the oracle or the reference: value and interval. */
const excess = (p: Paired | null) => {
  if (!p?.comparable) throw new Error(`not paired: ${JSON.stringify(p)}`);
  return { value: p.excess, lo: p.excess_ci.lo!, hi: p.excess_ci.hi!, ratio: p.ratio };
};

describe('the synthetic truth\'s orderings, trained and scored for real', () => {
  it('oracle < every model; fine-tuned < foundation alone and < Markov (paired intervals exclude zero)', async () => {
    const result = (await (await h.start(loadConfig(resolve('test/fixtures/configs/orderings.yaml')))).result()) as RunExperimentResult;
    expect(result.steps.every((s) => s.status === 'done')).toBe(true);
    const step = result.steps.find((s) => s.name === 'comparison')!;
    const table = JSON.parse(readFileSync(join(step.artifact!.path, 'compare.json'), 'utf8')) as CompareTable;
    const row = (label: string) => {
      const r = table.rows.find((x) => x.label === label);
      if (!r) throw new Error(`no row ${label} in ${table.rows.map((x) => x.label).join(', ')}`);
      return r;
    };
    const models = ['evaluate-finetuned:model', 'evaluate-foundation:model', 'evaluate-finetuned:markov'];
    const findings: Record<string, unknown> = {};
    // Every model has a positive excess over the oracle on the same points.
    for (const label of models) findings[`${label} vs oracle`] = excess(row(label).vs_oracle);
    // Against the fine-tuned model (the reference): the foundation model alone and the Markov chain are worse.
    findings['evaluate-foundation:model vs fine-tuned'] = excess(row('evaluate-foundation:model').vs_reference);
    findings['evaluate-finetuned:markov vs fine-tuned'] = excess(row('evaluate-finetuned:markov').vs_reference);
    // One message with every figure, so a failure says by how much.
    const held = Object.fromEntries(Object.entries(findings).map(([k, v]) => [k, (v as { lo: number }).lo > 0]));
    expect(held, JSON.stringify(findings, null, 1)).toEqual(Object.fromEntries(Object.keys(findings).map((k) => [k, true])));
  }, 1_500_000);
});
