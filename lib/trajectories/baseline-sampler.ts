/**
 * A fitted baseline (lib/baselines: marginal, markov, markov2, markov-gap) as a next-state
 * sampler: the partial career gives the point columns a baseline reads (previous state, the
 * one before it, the gap in years since the previous observation).
 */
import type { FittedBaseline } from '../baselines/types';
import type { Careers, NextStateSampler, PartialCareer } from './types';

export function baselineSampler(fitted: FittedBaseline, name = fitted.name): NextStateSampler {
  return {
    name,
    async distributions(careers: Careers, batch: readonly PartialCareer[]): Promise<Float64Array> {
      const codes = careers.taxonomy.rows;
      const at = (b: PartialCareer, back: number) => {
        const i = b.states.length - back;
        return i >= 0 ? codes[b.states[i]].code : null;
      };
      return fitted.predict({
        prev_code: batch.map((b) => at(b, 1)),
        prev2_code: batch.map((b) => at(b, 2)),
        gap: Int32Array.from(batch, (b) => {
          const next = careers.start[b.career] + b.states.length;
          return careers.year[next] - careers.year[next - 1];
        }),
      });
    },
  };
}
