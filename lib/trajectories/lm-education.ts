/**
 * The language model's own education model. The scorers score continuations of the form
 * " " + candidate + "\n" only (lib/lm), so a level is scored with the rest of its line: the
 * context ends just before the space inside the year's line start ("...\n1993", before
 * " (some college):" in the resume templates) and the candidates are every (level, state) pair's
 * line remainder, "(some college): Cooks". Then
 *   P(level | context) = sum over states of P(" (level): title\n" | context), renormalised over
 * the levels (and so over the valid titles too): drawing a level from it and then the state from
 * the usual context ending "(level):" draws from the model's joint distribution of the next
 * line, restricted to valid levels and titles. It costs one scoring over levels x states
 * candidates per context (a second scorer with `educationCandidates`).
 *
 * A template whose year lines show no education (resume-no-education) has no such split: the
 * model then has no education model, its contexts show no education, and the simulation draws
 * the (unseen) education from its fallback model.
 */
import type { TaxonomyRow } from '../artifacts/contracts';
import { InvalidConfig } from '../errors';
import type { Taxonomy } from '../panel/taxonomy';
import type { Scorer } from '../lm/types';
import { continuationFor, type TextTemplate } from '../text/templates';
import { CareerText } from './career-text';
import { logSumExp, renormalise } from './log-probs';
import type { Careers, EducationSampler, PartialCareer } from './types';

/** Where a template's year line can be cut before the education (null: its lines show none). */
export interface EducationSplit {
  /** The year line's start up to the cut: "1993" for "1993 (some college):". */
  head(year: number): string;
  /** A (level, state) pair's line remainder after the cut and its space, as a scorer candidate. */
  candidate(education: string, row: TaxonomyRow): string;
}

const MARK = '\u0000';

export function educationSplit(template: TextTemplate): EducationSplit | null {
  const shape = (year: number) => {
    const line = template.yearPrefix(year, MARK);
    const at = line.indexOf(MARK);
    if (at < 0) return null;
    const space = line.lastIndexOf(' ', at);
    if (space < 0) {
      throw new InvalidConfig(`text template '${template.name}': its year line ${JSON.stringify(line.replace(MARK, 'EDUCATION'))} has no space before the education, where a scored continuation could start`);
    }
    return { cut: space, open: line.slice(space + 1, at), close: line.slice(at + MARK.length) };
  };
  const a = shape(1990);
  if (!a) return null;
  const b = shape(2001)!;
  if (a.open !== b.open || a.close !== b.close) {
    throw new InvalidConfig(`text template '${template.name}': the year line's text around the education depends on the year, so its levels cannot be scored as fixed candidates`);
  }
  return {
    head: (year) => template.yearPrefix(year, MARK).slice(0, shape(year)!.cut),
    candidate: (education, row) => a.open + education + a.close + continuationFor(template, row).slice(0, -1),
  };
}

/** The education scorer's candidates: level-major, every state of the taxonomy per level (null: the template shows no education). */
export function educationCandidates(template: TextTemplate, taxonomy: Taxonomy, levels: readonly string[]): string[] | null {
  const split = educationSplit(template);
  return split && levels.flatMap((e) => taxonomy.rows.map((row) => split.candidate(e, row)));
}

export function lmEducation(scorer: Scorer, template: TextTemplate, levels: readonly string[], name: string): EducationSampler {
  const split = educationSplit(template);
  if (!split) throw new InvalidConfig(`trajectories: model '${name}': the template '${template.name}' writes no education, so the model has no education to draw`);
  const texts = new WeakMap<Careers, CareerText>();
  return {
    name,
    levels,
    async distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array> {
      let text = texts.get(careers);
      if (!text) {
        checkCandidates(scorer, educationCandidates(template, careers.taxonomy, levels)!, name);
        texts.set(careers, (text = new CareerText(template, careers)));
      }
      const unique = new Map<string, number>();
      const rowOf = batch.map((b) => {
        const context = text.lines(b) + split.head(text.yearOf(b, b.states.length));
        let u = unique.get(context);
        if (u === undefined) unique.set(context, (u = unique.size));
        return u;
      });
      const scores = await scorer.score([...unique.keys()].map((context) => ({ context })));
      const L = levels.length;
      const S = careers.taxonomy.size;
      const probs = scores.map((lp, u) => {
        const perLevel = Float64Array.from({ length: L }, (_, l) => logSumExp(lp.subarray(l * S, (l + 1) * S)));
        return renormalise(perLevel, `trajectories: model '${name}', education context ${u + 1} of the batch`, 'education level');
      });
      const out = new Float64Array(batch.length * L);
      rowOf.forEach((u, j) => out.set(probs[u], j * L));
      return out;
    },
  };
}

function checkCandidates(scorer: Scorer, want: readonly string[], name: string): void {
  const have = scorer.candidates;
  const k = want.findIndex((w, i) => have[i] !== w);
  if (k >= 0 || have.length !== want.length) {
    const where = k >= 0 ? `first difference at index ${k}: expected '${want[k]}', found '${have[k] ?? '(none)'}'` : `${have.length} candidates for ${want.length}`;
    throw new InvalidConfig(`trajectories: model '${name}': the education scorer's candidates are not educationCandidates(template, taxonomy, levels) (${where})`);
  }
}
