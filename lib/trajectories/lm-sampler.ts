/**
 * The language model as a next-state sampler: each partial career's text up to the next year's
 * header is a context; the scorer gives log P(" " + title + "\n" | context) for every valid
 * title, renormalised over them (sampling is over the valid states only). Identical contexts in
 * a batch (all draws of a person before their first drawn year) are scored once. With an
 * education scorer, the model also draws the next year's education itself (lm-education.ts).
 */
import { InvalidConfig } from '../errors';
import type { Scorer } from '../lm/types';
import { getTemplate, type TemplateRef } from '../text/templates';
import { CareerText } from './career-text';
import { educationSplit, lmEducation } from './lm-education';
import { renormalise } from './log-probs';
import type { Careers, NextStateSampler, PartialCareer } from './types';

export interface LmSamplerOptions {
  scorer: Scorer;
  /** The template the model was trained on (default resume v1). */
  template?: TemplateRef | string;
  /** Default 'lm'. */
  name?: string;
  /**
   * The model's own education model, for generated education: a second scorer over
   * educationCandidates(template, taxonomy, levels) and the levels (the panel's, educationLevels).
   * Absent, or a template that writes no education: the model has none.
   */
  education?: { scorer: Scorer; levels: readonly string[] };
}

export function lmSampler(options: LmSamplerOptions): NextStateSampler {
  const { scorer } = options;
  const template = getTemplate(options.template ?? { name: 'resume', version: 1 });
  const name = options.name ?? 'lm';
  const texts = new WeakMap<Careers, CareerText>();
  const education = options.education && educationSplit(template) ? lmEducation(options.education.scorer, template, options.education.levels, name) : undefined;
  return {
    name,
    ...(education && { education }),
    async distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array> {
      let text = texts.get(careers);
      if (!text) {
        checkCandidates(scorer, careers, template.label, name);
        texts.set(careers, (text = new CareerText(template, careers)));
      }
      const unique = new Map<string, number>();
      const rowOf = batch.map((b) => {
        const context = text.context(b);
        let u = unique.get(context);
        if (u === undefined) unique.set(context, (u = unique.size));
        return u;
      });
      const scores = await scorer.score([...unique.keys()].map((context) => ({ context })));
      const K = careers.taxonomy.size;
      const probs = scores.map((lp, u) => renormalise(lp, `trajectories: model '${name}', context ${u + 1} of the batch`, 'valid title'));
      const out = new Float64Array(batch.length * K);
      rowOf.forEach((u, j) => out.set(probs[u], j * K));
      return out;
    },
  };
}

function checkCandidates(scorer: Scorer, careers: Careers, label: 'title' | 'code', name: string): void {
  const want = careers.taxonomy.rows.map((r) => (label === 'code' ? r.code : r.title));
  const have = scorer.candidates;
  const k = want.findIndex((w, i) => have[i] !== w);
  if (k >= 0 || have.length !== want.length) {
    const where = k >= 0 ? `first difference at index ${k}: expected '${want[k]}', found '${have[k] ?? '(none)'}'` : `${have.length} candidates for ${want.length} states`;
    throw new InvalidConfig(`trajectories: model '${name}': the scorer's candidates are not the taxonomy's ${label}s in taxonomy order (${where})`);
  }
}
