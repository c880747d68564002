/**
 * One end-to-end run of the project's own trainer (trainer/labor_trainer) through the local
 * provider: a tiny from-scratch Llama on a few synthetic resume texts, exported to ONNX.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeArrowFile } from '../../lib/artifacts/arrow-io';
import { tableFromColumns } from '../../lib/artifacts/contracts';
import { LocalProvider, defaultTrainerCommand } from '../../lib/finetune';
import { REPO_ROOT, VENV_PYTHON, tempJobsRoot, waitUntil } from './helpers';

const TRAIN_PY = join(REPO_ROOT, 'trainer', 'labor_trainer', 'train.py');
const ready = existsSync(TRAIN_PY) && existsSync(VENV_PYTHON);
if (!ready) console.warn(`[real-trainer.test] skipped: ${!existsSync(TRAIN_PY) ? TRAIN_PY : VENV_PYTHON} does not exist`);

const TITLES = ['Cashiers', 'Registered nurses', 'Truck drivers', 'Teachers', 'Unemployed', 'Janitors'];

/** Deterministic resume-like texts: a person mostly keeps a title and sometimes moves on. */
function texts(n: number) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rows = { person_id: [] as string[], split: [] as string[], text: [] as string[] };
  for (let i = 0; i < n; i++) {
    let job = Math.floor(rand() * TITLES.length);
    let year = 2000 + Math.floor(rand() * 10);
    const lines = [`Person: ${rand() < 0.5 ? 'female' : 'male'}, born ${1950 + Math.floor(rand() * 40)}`];
    for (let k = 0; k < 4; k++) {
      if (rand() < 0.3) job = (job + 1) % TITLES.length;
      lines.push(`${year} (BA): ${TITLES[job]}`);
      year += 1;
    }
    rows.person_id.push(`p${i}`);
    rows.split.push(i % 5 === 4 ? 'valid' : 'train');
    rows.text.push(lines.join('\n') + '\n<END>');
  }
  return rows;
}

describe.skipIf(!ready)('local provider with the real trainer', () => {
  let root: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ root, cleanup } = tempJobsRoot('labor-llm-ft-real-'));
  });
  afterAll(() => cleanup());

  it('fine-tunes a tiny model from an init: spec and exports it', async () => {
    const textsPath = join(root, 'texts.arrow');
    writeArrowFile(textsPath, tableFromColumns('texts', texts(40)));
    const spec = {
      texts: textsPath,
      base: { init: { architecture: 'llama', layers: 1, hidden: 32, heads: 2, intermediate: 64, vocab_size: 300, max_positions: 128 } },
      epochs: 1, batch_size: 8, max_seq_len: 128, learning_rate: 3e-3, seed: 0, eval_every: 2, checkpoint_every: 2, threads: 1,
    };
    const provider = new LocalProvider({ jobsRoot: root, trainer: defaultTrainerCommand(REPO_ROOT) });
    const sub = await provider.submit(spec);
    expect(sub.existing).toBe(false);
    const done = await waitUntil(provider, sub.jobId, undefined, 240_000);
    if (done.state !== 'succeeded') console.error(await provider.logs(sub.jobId, 40));
    expect(done.state).toBe('succeeded');
    expect(done.progress).toMatchObject({ step: expect.any(Number), best_val_loss: expect.any(Number) });
    const { modelDir, metrics } = await provider.result(sub.jobId);
    for (const f of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) expect(existsSync(join(modelDir, f)), f).toBe(true);
    expect(metrics).toMatchObject({ steps: done.progress!.step });
    expect(readFileSync(join(sub.jobDir, 'train.log'), 'utf8')).toContain('succeeded');
    expect(await provider.submit(spec)).toEqual({ ...sub, existing: true });
  }, 300_000);
});
