/**
 * Per-person contributions to the per-horizon sums of one source (a simulation's draws or the
 * observed careers): the states reached, their groups, the group transitions into that year,
 * the paths, the distinct occupations held and whether the path was ever non-employed since
 * the K-th year. Step 0 is the K-th observed year; step h the h-th year after it.
 *
 * The careers are read once into a sparse matrix (one row per person); a subgroup's sums, for
 * the estimate or for a bootstrap replicate, are then a weighted sum of its persons' rows.
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

/**
 * Where each sum sits in a source's flat sums: H blocks of `width` slots, block h - 1 holding
 * [states (K) | groups (G) | transitions [group at h - 1, group at h] (G x G) | paths | distinct | ever non-employed].
 */
export class SumsLayout {
  readonly K: number;
  readonly G: number;
  readonly group: number;
  readonly transition: number;
  readonly paths: number;
  readonly distinct: number;
  readonly ever: number;
  readonly width: number;

  constructor(taxonomy: Taxonomy, groups: GroupIndex, readonly horizon: number) {
    this.K = taxonomy.size;
    this.G = groups.names.length;
    this.group = this.K;
    this.transition = this.group + this.G;
    this.paths = this.transition + this.G * this.G;
    this.distinct = this.paths + 1;
    this.ever = this.distinct + 1;
    this.width = this.ever + 1;
  }

  /** Offset of horizon h's block. */
  at(h: number): number {
    return (h - 1) * this.width;
  }

  newSums(): Float64Array {
    return new Float64Array(this.horizon * this.width);
  }
}

/** A source's careers as per-person sparse rows of sum contributions (slot, count). */
export class PersonContributions {
  private readonly start: Int32Array;
  private readonly slot: Int32Array;
  private readonly count: Int32Array;

  constructor(readonly layout: SumsLayout, taxonomy: Taxonomy, groups: GroupIndex, source: Source) {
    const { K, G, width } = layout;
    const of = groups.of;
    const isOccupation = Uint8Array.from(taxonomy.rows, (r) => (r.kind === 'occupation' ? 1 : 0));
    const isNonemployed = Uint8Array.from(taxonomy.rows, (r) => (NONEMPLOYMENT_KINDS.includes(r.kind) ? 1 : 0));
    const seen = new Uint8Array(K);
    const held: number[] = [];
    // One person's row, dense while it is built; `touched` lists its nonzero slots.
    const dense = new Int32Array(layout.horizon * width);
    const touched: number[] = [];
    const add = (s: number, v: number) => {
      if (dense[s] === 0) touched.push(s);
      dense[s] += v;
    };
    const n = source.steps.length;
    const start = new Int32Array(n + 1);
    const slots: number[] = [];
    const counts: number[] = [];
    for (let p = 0; p < n; p++) {
      const steps = source.steps[p];
      for (let d = 0; d < source.draws; d++) {
        let prev = source.at(p, d, 0);
        let ever = 0;
        for (let h = 1; h <= steps; h++) {
          const s = source.at(p, d, h);
          const b = layout.at(h);
          add(b + s, 1);
          add(b + layout.group + of[s], 1);
          add(b + layout.transition + of[prev] * G + of[s], 1);
          if (isOccupation[s] && !seen[s]) {
            seen[s] = 1;
            held.push(s);
          }
          if (isNonemployed[s]) ever = 1;
          add(b + layout.paths, 1);
          if (held.length) add(b + layout.distinct, held.length);
          if (ever) add(b + layout.ever, 1);
          prev = s;
        }
        for (const s of held) seen[s] = 0;
        held.length = 0;
      }
      for (const s of touched) {
        slots.push(s);
        counts.push(dense[s]);
        dense[s] = 0;
      }
      touched.length = 0;
      start[p + 1] = slots.length;
    }
    this.start = start;
    this.slot = Int32Array.from(slots);
    this.count = Int32Array.from(counts);
  }

  /** out = sum over j of factor[j] x the row of person persons[j] (out is overwritten). */
  sums(persons: Int32Array, factor: Float64Array, out: Float64Array): Float64Array {
    const { start, slot, count } = this;
    out.fill(0);
    for (let j = 0; j < persons.length; j++) {
      const f = factor[j];
      if (f === 0) continue;
      const p = persons[j];
      for (let e = start[p]; e < start[p + 1]; e++) out[slot[e]] += f * count[e];
    }
    return out;
  }
}
