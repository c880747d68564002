/**
 * Test-only careers from a known first-order Markov chain (the project's generator is not
 * first order: tenure, history and covariates matter there). Each person is observed every
 * `gap` years, where the state after a gap of g is drawn from P^g (a chain observed less often),
 * so the true distribution at every point is known: a row of P or of P^2.
 */
import { mulberry32 } from '../../lib/metrics';
import { makeTaxonomy, type Taxonomy } from '../../lib/panel/taxonomy';

export interface ChainPoints {
  person_id: string[];
  year: Int32Array;
  true_code: string[];
  prev_code: (string | null)[];
  prev2_code: (string | null)[];
  gap: Int32Array;
  /** The true distribution at each point, row-major [n, K]. */
  truth: Float64Array;
}

export function chainTaxonomy(occupations: number): Taxonomy {
  return makeTaxonomy(Array.from({ length: occupations }, (_, i) => ({ code: `o${i}`, title: `Occupation ${i}`, kind: 'occupation' as const })));
}

/** A sticky sparse chain: stay with probability 0.5-0.9, else move to one of `fanout` states. */
export function stickyChain(K: number, fanout: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const P = new Float64Array(K * K);
  for (let j = 0; j < K; j++) {
    const stay = 0.5 + 0.4 * rng();
    P[j * K + j] = stay;
    const targets = new Set<number>();
    while (targets.size < fanout) {
      const t = Math.floor(rng() * K);
      if (t !== j) targets.add(t);
    }
    const w = [...targets].map(() => -Math.log(1 - rng())); // Dirichlet(1) weights
    const total = w.reduce((a, b) => a + b, 0);
    [...targets].forEach((t, i) => (P[j * K + t] += ((1 - stay) * w[i]) / total));
  }
  return P;
}

export function square(P: Float64Array, K: number): Float64Array {
  const Q = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) for (let k = 0; k < K; k++) Q[i * K + k] += P[i * K + j] * P[j * K + k];
  return Q;
}

/**
 * Careers of `observations` observed states; each gap is 1, or 2 with probability `biennial`.
 * `next(prev2, prev, gap)` gives the true distribution (default: row prev of P or P^2).
 */
export function sampleCareers(o: {
  taxonomy: Taxonomy; P: Float64Array; persons: number; observations: number; seed: number; biennial?: number; prefix?: string;
  next?: (prev2: number, prev: number, gap: number) => Float64Array;
}): ChainPoints {
  const K = o.taxonomy.size;
  const codes = o.taxonomy.rows.map((r) => r.code);
  const P2 = square(o.P, K);
  const next = o.next ?? ((_: number, prev: number, gap: number) => (gap === 1 ? o.P : P2).subarray(prev * K, (prev + 1) * K));
  const rng = mulberry32(o.seed);
  const n = o.persons * (o.observations - 1);
  const out: ChainPoints = {
    person_id: [], year: new Int32Array(n), true_code: [], prev_code: [], prev2_code: [], gap: new Int32Array(n), truth: new Float64Array(n * K),
  };
  let i = 0;
  for (let p = 0; p < o.persons; p++) {
    let prev2 = -1;
    let prev = Math.floor(rng() * K);
    let year = 2000;
    for (let t = 1; t < o.observations; t++) {
      const gap = rng() < (o.biennial ?? 0) ? 2 : 1;
      year += gap;
      const dist = next(prev2, prev, gap);
      let u = rng();
      let k = 0;
      while (k < K - 1 && (u -= dist[k]) >= 0) k++;
      out.person_id.push(`${o.prefix ?? 'p'}${p}`);
      out.year[i] = year;
      out.true_code.push(codes[k]);
      out.prev_code.push(codes[prev]);
      out.prev2_code.push(prev2 < 0 ? null : codes[prev2]);
      out.gap[i] = gap;
      out.truth.set(dist, i * K);
      i++;
      prev2 = prev;
      prev = k;
    }
  }
  return out;
}

/** exp(mean negative log-probability of the truths) under row-major [n, K] distributions. */
export function perplexity(probs: Float64Array, points: { true_code: readonly string[] }, taxonomy: Taxonomy): number {
  const K = taxonomy.size;
  let sum = 0;
  points.true_code.forEach((c, i) => (sum -= Math.log(probs[i * K + taxonomy.indexOf(c)])));
  return Math.exp(sum / points.true_code.length);
}
