/**
 * Encodes a panel as texts (one per person) and prediction points (one per observed year after
 * a person's first), following a registered template (templates.ts documents the format).
 * Built for speed: labels and year-line prefixes are computed once, each text is one join.
 */
import { InvalidData } from '../errors';
import type { Panel } from '../panel/panel';
import { continuationFor, continuationFormat, getTemplate, type TemplateRef } from './templates';

export interface EncodedText {
  template: { name: string; version: number };
  /** The continuation scored for each state, in words: `" " + title + "\n"` (or code). */
  continuation: string;
  texts: { person_id: string[]; split: string[]; text: string[] };
  points: {
    person_id: string[];
    split: string[];
    year: Int32Array;
    /** Offset (UTF-16 code units) just after the ':' of the year's line. */
    context_end: Int32Array;
    true_code: string[];
    prev_code: (string | null)[];
  };
}

export function encodePanel(panel: Panel, ref: TemplateRef): EncodedText {
  const t = getTemplate(ref);
  const py = panel.personYears;
  const rows = py.person_id.length;
  const source = `encode '${panel.name}' with ${t.name} v${t.version}`;

  if (panel.name.includes('\n')) throw new InvalidData(`${source}: the dataset name contains a line break`);
  const continuation = new Map<string, string>();
  for (const row of panel.taxonomy.rows) {
    const c = continuationFor(t, row);
    if (c.indexOf('\n') !== c.length - 1) throw new InvalidData(`${source}: the ${t.label} of state '${row.code}' contains a line break`);
    continuation.set(row.code, c);
  }

  // Each person's rows form one block [start, end) (validatePanel's contract).
  const blockStart = new Map<string, number>();
  for (let r = 0; r < rows; r++) {
    const id = py.person_id[r];
    if (r > 0 && id === py.person_id[r - 1]) continue;
    if (blockStart.has(id)) throw new InvalidData(`${source}: person_years row ${r + 1}: rows of person '${id}' are not contiguous`);
    blockStart.set(id, r);
  }
  const personIds = new Set(panel.persons.map((p) => p.person_id));
  for (const id of blockStart.keys()) {
    if (!personIds.has(id)) throw new InvalidData(`${source}: person_years has person '${id}', who is not in persons`);
  }

  const nPoints = rows - blockStart.size;
  const points: EncodedText['points'] = {
    person_id: new Array(nPoints), split: new Array(nPoints), year: new Int32Array(nPoints),
    context_end: new Int32Array(nPoints), true_code: new Array(nPoints), prev_code: new Array(nPoints),
  };
  const nPersons = panel.persons.length;
  const texts: EncodedText['texts'] = { person_id: new Array(nPersons), split: new Array(nPersons), text: new Array(nPersons) };

  // Year-line prefixes, cached per education value and year.
  const prefixes = new Map<string, Map<number, string>>();
  const prefixFor = (year: number, education: string): string => {
    let byYear = prefixes.get(education);
    if (!byYear) prefixes.set(education, (byYear = new Map()));
    let s = byYear.get(year);
    if (s === undefined) {
      s = t.yearPrefix(year, education);
      if (s.includes('\n')) throw new InvalidData(`${source}: education '${education}' contains a line break`);
      byYear.set(year, s);
    }
    return s;
  };

  let k = 0;
  const parts: string[] = [];
  for (let i = 0; i < nPersons; i++) {
    const person = panel.persons[i];
    const header = t.header(panel.name, person);
    parts.length = 0;
    parts.push(header);
    let offset = header.length;
    const start = blockStart.get(person.person_id);
    if (start !== undefined) {
      for (let r = start; r < rows && py.person_id[r] === person.person_id; r++) {
        const prefix = prefixFor(py.year[r], py.education[r]);
        const code = py.state[r];
        const cont = continuation.get(code);
        if (cont === undefined) throw new InvalidData(`${source}: person_years row ${r + 1}: state '${code}' is not in the taxonomy`);
        if (r > start) {
          points.person_id[k] = person.person_id;
          points.split[k] = person.split;
          points.year[k] = py.year[r];
          points.context_end[k] = offset + prefix.length;
          points.true_code[k] = code;
          points.prev_code[k] = py.state[r - 1];
          k++;
        }
        parts.push(prefix, cont);
        offset += prefix.length + cont.length;
      }
    }
    parts.push(t.footer);
    texts.person_id[i] = person.person_id;
    texts.split[i] = person.split;
    texts.text[i] = parts.join('');
  }
  return { template: { name: t.name, version: t.version }, continuation: continuationFormat(t), texts, points };
}
