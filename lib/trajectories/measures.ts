/**
 * Per-horizon sums over a subgroup's careers, from one source (a simulation's draws or the
 * observed careers): the states reached, their groups, the group transitions into that year,
 * the distinct occupations held and whether the person was ever non-employed since the K-th
 * year. Step 0 is the K-th observed year; step h the h-th year after it.
 */
import { NONEMPLOYMENT_KINDS } from '../artifacts/contracts';
import type { GroupIndex } from '../analysis/groups';
import type { Taxonomy } from '../panel/taxonomy';

/** Careers of one source: `draws` per person, `at(p, d, h)` the state at step h (h <= steps[p]). */
export interface Source {
  name: string;
  draws: number;
  steps: Int32Array;
  at(p: number, d: number, h: number): number;
}

export interface HorizonSums {
  persons: number;
  paths: number;
  state: Float64Array;
  group: Float64Array;
  /** [group at step h - 1, group at step h], row-major. */
  transition: Float64Array;
  distinct: number;
  everNonemployed: number;
}

export class SumsBuilder {
  private readonly isOccupation: Uint8Array;
  private readonly isNonemployed: Uint8Array;
  private readonly seen: Uint8Array;

  constructor(taxonomy: Taxonomy, private readonly groups: GroupIndex, private readonly horizon: number) {
    this.isOccupation = Uint8Array.from(taxonomy.rows, (r) => (r.kind === 'occupation' ? 1 : 0));
    this.isNonemployed = Uint8Array.from(taxonomy.rows, (r) => (NONEMPLOYMENT_KINDS.includes(r.kind) ? 1 : 0));
    this.seen = new Uint8Array(taxonomy.size);
  }

  /** Sums at horizons 1..H (index h - 1) over the persons `slots` of `source`. */
  sums(source: Source, slots: Int32Array): HorizonSums[] {
    const K = this.seen.length;
    const G = this.groups.names.length;
    const of = this.groups.of;
    const out: HorizonSums[] = Array.from({ length: this.horizon }, () => ({
      persons: 0, paths: 0, state: new Float64Array(K), group: new Float64Array(G), transition: new Float64Array(G * G), distinct: 0, everNonemployed: 0,
    }));
    const held: number[] = [];
    for (const p of slots) {
      const steps = source.steps[p];
      for (let h = 1; h <= steps; h++) out[h - 1].persons++;
      for (let d = 0; d < source.draws; d++) {
        let prev = source.at(p, d, 0);
        let ever = 0;
        for (let h = 1; h <= steps; h++) {
          const s = source.at(p, d, h);
          const o = out[h - 1];
          o.paths++;
          o.state[s]++;
          o.group[of[s]]++;
          o.transition[of[prev] * G + of[s]]++;
          if (this.isOccupation[s] && !this.seen[s]) {
            this.seen[s] = 1;
            held.push(s);
          }
          if (this.isNonemployed[s]) ever = 1;
          o.distinct += held.length;
          o.everNonemployed += ever;
          prev = s;
        }
        for (const s of held) this.seen[s] = 0;
        held.length = 0;
      }
    }
    return out;
  }
}
