/** A short description of a panel: what `labor-llm data inspect` prints. */
import type { Panel } from './panel';

export interface PanelSummary {
  name: string;
  persons: number;
  personYears: number;
  states: number;
  years: [number, number];
  splits: Record<string, number>;
  /** Share of person-years in each state kind. */
  kinds: Record<string, number>;
  topStates: { code: string; title: string; share: number }[];
  groups: Record<string, Record<string, number>>;
  oracle: boolean;
}

const countBy = <T>(xs: Iterable<T>, key: (x: T) => string) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};

export function summarizePanel(panel: Panel, top = 10): PanelSummary {
  const py = panel.personYears;
  const n = py.year.length;
  let minYear = Infinity;
  let maxYear = -Infinity;
  for (const y of py.year) [minYear, maxYear] = [Math.min(minYear, y), Math.max(maxYear, y)];
  const stateCounts = countBy(py.state, (s) => s);
  const kinds: Record<string, number> = {};
  for (const [code, c] of Object.entries(stateCounts)) {
    const kind = panel.taxonomy.rows[panel.taxonomy.indexOf(code)].kind;
    kinds[kind] = (kinds[kind] ?? 0) + c / n;
  }
  return {
    name: panel.name,
    persons: panel.persons.length,
    personYears: n,
    states: panel.taxonomy.size,
    years: [minYear, maxYear],
    splits: countBy(panel.persons, (p) => p.split),
    kinds,
    topStates: Object.entries(stateCounts)
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([code, c]) => ({ code, title: panel.taxonomy.title(code), share: c / n })),
    groups: {
      gender: countBy(panel.persons, (p) => p.gender),
      race: countBy(panel.persons, (p) => p.race),
      region: countBy(panel.persons, (p) => p.region),
      education: countBy(py.education, (e) => e),
    },
    oracle: !!panel.oracle,
  };
}

export function formatPanelSummary(s: PanelSummary): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const groups = Object.entries(s.groups).map(([g, c]) => `  ${g}: ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return [
    `${s.name}: ${s.persons} persons, ${s.personYears} person-years, ${s.years[0]}-${s.years[1]}, ${s.states} states${s.oracle ? ', with oracle' : ''}`,
    `  splits: ${Object.entries(s.splits).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  state kinds: ${Object.entries(s.kinds).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}`,
    `  top states: ${s.topStates.map((t) => `${t.title} ${pct(t.share)}`).join('; ')}`,
    ...groups,
  ].join('\n');
}
