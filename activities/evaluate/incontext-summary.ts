/**
 * metrics.json's scorer.incontext from the shards' in-context statistics (incontext-contexts.ts).
 * Kept apart from the context builder so the activities module loads no tokenizer code.
 */
import type { IncontextSelection } from '../../lib/text/incontext';

/** What one shard reports; finishEvaluation adds the shards up (incontextSummary). */
export interface IncontextShardStats {
  k: number;
  seed: number;
  selection: IncontextSelection;
  points: number;
  examples_used: number;
  points_with_fewer: number;
}

/** metrics.json's scorer.incontext: the shards' statistics added up; undefined without incontext. */
export function incontextSummary(shards: { incontext?: IncontextShardStats }[]) {
  const all = shards.map((s) => s.incontext).filter((s): s is IncontextShardStats => !!s);
  if (!all.length) return undefined;
  const points = all.reduce((n, s) => n + s.points, 0);
  const used = all.reduce((n, s) => n + s.examples_used, 0);
  const { k, seed, selection } = all[0];
  return { k, seed, selection, points, mean_examples_used: points ? used / points : 0, points_with_fewer: all.reduce((n, s) => n + s.points_with_fewer, 0) };
}
