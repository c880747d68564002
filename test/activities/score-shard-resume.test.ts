/**
 * A scoring shard interrupted after some batches resumes after the last finished batch (the
 * batch count an attempt heartbeats), and its result equals an uninterrupted run's.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreShardTask, readFloat64, type ScoreShardTask } from '../../activities/evaluate/evaluate-tasks';
import { writePanel } from '../../lib/panel/panel-io';
import { loadTaxonomy } from '../../lib/panel/taxonomy';
import { generatePanel } from '../../lib/synth';
import { encodePanel, writeEncoded } from '../../lib/text';
import type { EvaluateStepConfig } from '../../lib/config/schema';
import { randomModel } from '../lm/fixtures';

const root = mkdtempSync(join(tmpdir(), 'labor-llm-shard-'));
let base: Omit<ScoreShardTask, 'dir' | 'out' | 'batchesDone'>;

beforeAll(() => {
  const panel = generatePanel({ taxonomy: loadTaxonomy(), population: 'survey', persons: 20, seed: 3 });
  const panelDir = join(root, 'panel');
  const encodedDir = join(root, 'text');
  writePanel(panelDir, panel);
  const encoded = encodePanel(panel, { name: 'resume' });
  writeEncoded(encodedDir, encoded);
  const step = {
    kind: 'evaluate', name: 'e', data: 't', model: { path: '' }, split: 'test', maxPoints: 14, shards: 1,
    scorer: { kind: 'fast', memoryBudgetMb: 64, batchPoints: 3 }, baselines: [], oracle: false, bootstrap: 0, topK: 5,
  } as unknown as EvaluateStepConfig;
  base = { encodedDir, panelDir, modelDir: randomModel({ layers: 1, hidden: 32, heads: 2, maxPositions: 512, seed: 5 }), template: encoded.template, step, start: 2, end: 14 };
});

describe('scoreShardTask', () => {
  it('resumes after the last finished batch and matches an uninterrupted run', async () => {
    const clean = { ...base, dir: join(root, 'clean'), out: join(root, 'clean.f64'), batchesDone: 0 };
    await scoreShardTask(clean, () => {});

    // First attempt dies after its second batch (as a killed worker would).
    const task = { ...base, dir: join(root, 'resumed'), out: join(root, 'resumed.f64'), batchesDone: 0 };
    let reported = 0;
    await expect(
      scoreShardTask(task, (p) => {
        reported = Number(p.batchesDone);
        if (reported === 2) throw new Error('worker killed');
      }),
    ).rejects.toThrow('worker killed');

    // The retry starts from the heartbeat's batch count: it scores batches 3 and 4 only.
    const seen: number[] = [];
    const result = await scoreShardTask({ ...task, batchesDone: reported }, (p) => seen.push(Number(p.batchesDone)));
    expect(seen).toEqual([2, 3, 4]);
    expect(result.points).toBe(12);
    expect(Array.from(readFloat64(task.out))).toEqual(Array.from(readFloat64(clean.out)));
    expect(readFileSync(task.out).byteLength).toBe(12 * 112 * 8);
  }, 120_000);
});
