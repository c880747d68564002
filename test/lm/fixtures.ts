/**
 * Tiny random models for the lm tests (built and cached by lib/lm/random-model; the cache folder
 * can be moved with LABOR_LLM_TEST_MODELS) and the taxonomies they are built over.
 */
import { join, resolve } from 'node:path';
import { RANDOM_MODEL_CACHE, randomModel as buildRandomModel, type RandomModelArgs } from '../../lib/lm/random-model';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CACHE_ROOT = process.env.LABOR_LLM_TEST_MODELS ?? RANDOM_MODEL_CACHE;
export const DEFAULT_TAXONOMY_CSV = join(REPO_ROOT, 'data/taxonomy/default.csv');
export const CENSUS_CSV = join(REPO_ROOT, 'data/taxonomy/census2010.csv');

/** Path of a random model folder with these settings, building it on first use (a few seconds). */
export const randomModel = (a: RandomModelArgs): string => buildRandomModel(a, CACHE_ROOT);

/** The tests' main model: Llama, grouped key/value heads, weights large enough for peaked distributions. */
export const tinyLlama = () =>
  randomModel({ layers: 2, hidden: 64, heads: 4, kvHeads: 2, maxPositions: 256, vocabSize: 1024, initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV });
export const tinyGpt2 = () =>
  randomModel({ layers: 2, hidden: 48, heads: 4, maxPositions: 256, vocabSize: 800, arch: 'gpt2', initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV });
/** As other exporters make them: no logsumexp output, no tree masks. */
export const tinyPlainLlama = () =>
  randomModel({ layers: 2, hidden: 64, heads: 4, kvHeads: 2, maxPositions: 256, vocabSize: 1024, initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV, plain: true });
/** Few positions, for truncation. */
export const shortLlama = () =>
  randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 48, vocabSize: 1024, initRange: 0.3, titlesCsv: DEFAULT_TAXONOMY_CSV });

/** A context in the `resume` v1 template's shape, ending at a prediction point. */
export function resumeContext(years: [number, string, string][], next: [number, string]): string {
  const header =
    'Synthetic career record\nGender: female, race/ethnicity: White, region: South\nBirth year: 1960\n' +
    'Occupation by year (education in parentheses):\n';
  return header + years.map(([y, e, t]) => `${y} (${e}): ${t}\n`).join('') + `${next[0]} (${next[1]}):`;
}
