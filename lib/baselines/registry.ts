/** The baselines by name, with "did you mean" errors for unknown names and options. */
import { InvalidConfig } from '../errors';
import { didYouMeanSuffix } from '../config/did-you-mean';
import type { Taxonomy } from '../panel/taxonomy';
import type { BaselineOptions, BaselineSpec, FittedBaseline, TrainPoints } from './types';
import { marginalBaseline } from './marginal';
import { markov2Baseline, markovBaseline, markovGapBaseline } from './markov';

const BASELINES: ReadonlyMap<string, BaselineSpec> = new Map([marginalBaseline, markovBaseline, markov2Baseline, markovGapBaseline].map((b) => [b.name, b]));

export const BASELINE_NAMES: readonly string[] = [...BASELINES.keys()];

export function getBaseline(name: string): BaselineSpec {
  const spec = BASELINES.get(name);
  if (!spec) {
    throw new InvalidConfig(`unknown baseline '${name}'${didYouMeanSuffix(name, BASELINE_NAMES)}; known: ${BASELINE_NAMES.join(', ')}`);
  }
  return spec;
}

/** Fits on `train`; smoothing not fixed by `options` is chosen on `valid` when given (see markov.ts). */
export function fitBaseline(name: string, train: TrainPoints, taxonomy: Taxonomy, options: BaselineOptions = {}, valid?: TrainPoints): FittedBaseline {
  const spec = getBaseline(name);
  const unknown = Object.keys(options).filter((k) => !spec.options.includes(k));
  if (unknown.length) {
    throw new InvalidConfig(
      `baseline '${name}': unknown option(s)`,
      unknown.map((k) => `'${k}'${didYouMeanSuffix(k, spec.options)}; accepted: ${spec.options.join(', ') || 'none'}`),
    );
  }
  return spec.fit(train, taxonomy, options, valid);
}
