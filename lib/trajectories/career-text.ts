/**
 * The text of a partial career up to the next year's header, written with the template's own
 * functions (header, yearPrefix, continuationFor), so that for an observed career it equals
 * the encoded text up to that prediction point's context_end. A path with generated education
 * shows its own education (PartialCareer.education) instead of the observed one.
 */
import type { TaxonomyRow } from '../artifacts/contracts';
import { InvalidData } from '../errors';
import { continuationFor, type TextTemplate } from '../text/templates';
import type { Careers, PartialCareer } from './types';

export class CareerText {
  private readonly stateLines: string[];
  private readonly headers = new Map<number, string>();

  constructor(readonly template: TextTemplate, readonly careers: Careers) {
    this.stateLines = careers.taxonomy.rows.map((r: TaxonomyRow) => continuationFor(template, r));
  }

  /** The header of career c (cached: every draw and year of a person shares it). */
  header(c: number): string {
    let h = this.headers.get(c);
    if (h === undefined) this.headers.set(c, (h = this.template.header(this.careers.dataset, this.careers.persons[c])));
    return h;
  }

  /** Header, one line per state so far, then "{next year} ({its education}):". */
  context(path: PartialCareer): string {
    const next = path.states.length;
    return this.lines(path) + this.template.yearPrefix(this.yearOf(path, next), this.educationOf(path, next));
  }

  /** Header and one line per state so far (the text before the next year's line). */
  lines(path: PartialCareer): string {
    const parts = [this.header(path.career)];
    for (let i = 0; i < path.states.length; i++) {
      parts.push(this.template.yearPrefix(this.yearOf(path, i), this.educationOf(path, i)), this.stateLines[path.states[i]]);
    }
    return parts.join('');
  }

  /** Calendar year of the path's i-th observed year. */
  yearOf(path: PartialCareer, i: number): number {
    return this.careers.year[this.careers.start[path.career] + i];
  }

  private educationOf(path: PartialCareer, i: number): string {
    if (!path.education) return this.careers.education[this.careers.start[path.career] + i];
    if (i >= path.education.length) {
      throw new InvalidData(`trajectories: person '${this.careers.persons[path.career].person_id}' (draw ${path.draw}): no education given for observed year ${i + 1}`);
    }
    return path.education[i];
  }
}
