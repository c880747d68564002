/**
 * The text of a partial career up to the next year's header, written with the template's own
 * functions (header, yearPrefix, continuationFor), so that for an observed career it equals
 * the encoded text up to that prediction point's context_end.
 */
import type { TaxonomyRow } from '../artifacts/contracts';
import { continuationFor, type TextTemplate } from '../text/templates';
import type { Careers, PartialCareer } from './types';

export class CareerText {
  private readonly lines: string[];
  private readonly headers = new Map<number, string>();

  constructor(readonly template: TextTemplate, readonly careers: Careers) {
    this.lines = careers.taxonomy.rows.map((r: TaxonomyRow) => continuationFor(template, r));
  }

  /** The header of career c (cached: every draw and year of a person shares it). */
  header(c: number): string {
    let h = this.headers.get(c);
    if (h === undefined) this.headers.set(c, (h = this.template.header(this.careers.dataset, this.careers.persons[c])));
    return h;
  }

  /** Header, one line per state so far, then "{next year} ({its education}):". */
  context(path: PartialCareer): string {
    const { careers, template } = this;
    const first = careers.start[path.career];
    const parts = [this.header(path.career)];
    for (let i = 0; i < path.states.length; i++) {
      parts.push(template.yearPrefix(careers.year[first + i], careers.education[first + i]), this.lines[path.states[i]]);
    }
    const next = first + path.states.length;
    parts.push(template.yearPrefix(careers.year[next], careers.education[next]));
    return parts.join('');
  }
}
