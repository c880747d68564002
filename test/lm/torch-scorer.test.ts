/**
 * The torch backend as a Scorer (lib/lm/torch-scorer.ts over `python -m labor_scorer.serve`): on
 * a small Llama with both an ONNX export and HF weights (sp-fixtures' spLlama) it gives the ONNX
 * fast scorer's log-probabilities within 1e-4 (CPU, fp32), so whole careers simulated through it
 * draw the same states from the same distributions; bad batches are answered and the child stays
 * usable; a child that fails to start, dies or breaks the protocol gives an error with its stderr.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidData, InvalidModel } from '../../lib/errors';
import { createScorer, createTorchScorer, ScorerFailed, torchModelProblems, type Scorer, type ScoreRequest, type TorchScorer } from '../../lib/lm';
import { getTemplate } from '../../lib/text';
import { CareerText, careersFromPanel, lmSampler, simulateTrajectories, type Simulation } from '../../lib/trajectories';
import { surveyPanel, taxonomy } from '../trajectories/fixtures';
import { resumeContext, tinyLlama } from './fixtures';
import { REPO_ROOT, spLlama } from './sp-fixtures';

const BUILD_TIMEOUT = 240_000;
const command = { python: join(REPO_ROOT, '.venv/bin/python'), scorerPath: join(REPO_ROOT, 'scorer') };
const titles = taxonomy.rows.map((r) => r.title);
const careers = careersFromPanel(surveyPanel(60, 9));
const options = { prefixYears: 2, horizon: 3, draws: 2, seed: 4 };

/** A real scorer that keeps every batch of distributions the sampler drew from. */
function recording(inner: Scorer): Scorer & { batches: Float64Array[][] } {
  const batches: Float64Array[][] = [];
  return Object.assign(Object.create(inner) as Scorer, {
    batches,
    score: async (requests: readonly ScoreRequest[]) => {
      const out = await inner.score(requests);
      batches.push(out);
      return out;
    },
  });
}

const maxDiff = (a: readonly Float64Array[], b: readonly Float64Array[]) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i].length);
    row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - b[i][c]))));
  });
  return worst;
};

let modelDir: string;
let onnx: Scorer;
let torch: TorchScorer;
beforeAll(async () => {
  modelDir = spLlama();
  onnx = await createScorer({ modelDir, candidates: titles, kind: 'fast', threads: 1 });
  torch = await createTorchScorer({ command, modelDir, candidates: titles, threads: 1 });
}, BUILD_TIMEOUT);
afterAll(async () => {
  await onnx?.release();
  await torch?.release();
});

describe('torch scorer (labor_scorer.serve in one child process)', () => {
  it('gives the ONNX fast scorer\'s log-probabilities within 1e-4 on every candidate, batch after batch', async () => {
    const text = new CareerText(getTemplate('resume'), careers);
    const fromCareers = [0, 1, 2].map((c) => text.context({ career: c, draw: 0, states: careers.state.subarray(careers.start[c], careers.start[c] + 2) }));
    const contexts = [
      ...fromCareers,
      resumeContext([[1990, 'high school diploma', 'Cooks'], [1991, 'some college', 'Cashiers']], [1992, 'some college']),
      '1990 (some college):',
    ];
    const first = contexts.slice(0, 3).map((context) => ({ context }));
    const second = contexts.slice(3).map((context) => ({ context }));
    expect(maxDiff(await torch.score(first), await onnx.score(first))).toBeLessThan(1e-4);
    expect(maxDiff(await torch.score(second), await onnx.score(second))).toBeLessThan(1e-4);
    expect(await torch.score([])).toEqual([]);
    expect(torch.stats).toMatchObject({ requests: 5, truncatedContexts: 0 });
    expect(torch.stats.modelRuns).toBeGreaterThan(5);
    expect(torch.describe()).toMatchObject({ kind: 'torch', mode: 'tree', device: 'cpu', dtype: 'fp32', modelDir, python: { candidates: titles.length } });
  }, BUILD_TIMEOUT);

  it('draws the same careers as the ONNX scorer, from the same distributions, for the same seed', async () => {
    const [a, b] = [recording(onnx), recording(torch)];
    const sims: Simulation[] = [];
    for (const scorer of [a, b]) sims.push(await simulateTrajectories(careers, lmSampler({ scorer, name: 'tiny' }), options));
    expect(sims[1].personYears).toBeGreaterThan(20);
    expect(b.batches).toHaveLength(a.batches.length);
    a.batches.forEach((batch, i) => expect(maxDiff(b.batches[i], batch)).toBeLessThan(1e-4));
    expect(Array.from(sims[1].states)).toEqual(Array.from(sims[0].states));
    expect(new Set(sims[1].states).size).toBeGreaterThan(5);
  }, BUILD_TIMEOUT);

  it('answers a bad batch with its error (InvalidData) and keeps scoring', async () => {
    const bad = [{ context: '1990 (some college):' }, { context: null as unknown as string }];
    await expect(onnx.score(bad)).rejects.toThrow(InvalidData);
    const err = await torch.score(bad).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidData);
    expect((err as Error).message).toMatch(/requests-\d+\.arrow: 1 problem\(s\)\n {2}- row 1: context is null, expected a string$/);
    const pid = torch.pid;
    const again = await torch.score([{ context: '1990 (some college):' }]);
    expect(maxDiff(again, await onnx.score([{ context: '1990 (some college):' }]))).toBeLessThan(1e-4);
    expect(torch.pid).toBe(pid);
  }, BUILD_TIMEOUT);

  it('ends its child on release()', async () => {
    const s = await createTorchScorer({ command, modelDir, candidates: titles.slice(0, 5), threads: 1 });
    const pid = s.pid!;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await s.release();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(s.score([{ context: '1990 (some college):' }])).rejects.toThrow(/^the torch scorer of .* was released; create another one to score$/);
  }, BUILD_TIMEOUT);
});

describe('torch scorer failures', () => {
  const fake = (script: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'labor-llm-fake-python-')), 'python');
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
    return { python: file, scorerPath: command.scorerPath };
  };

  it('a folder without HF weights: InvalidModel naming the folder, before and from the child', async () => {
    const onnxOnly = tinyLlama();
    expect(torchModelProblems(onnxOnly)).toEqual([expect.stringMatching(/^no HF weights \(expected one of model\.safetensors, /)]);
    expect(torchModelProblems(modelDir)).toEqual([]);
    const err = await createTorchScorer({ command, modelDir: onnxOnly, candidates: titles }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidModel);
    expect((err as Error).message).toContain(`exited with code 2; its stderr ends:\nInvalidModel: model folder ${resolve(onnxOnly)}: cannot load it`);
  }, BUILD_TIMEOUT);

  it('a python that cannot start, a child that dies, a child that answers garbage: ScorerFailed with its stderr', async () => {
    const missing = await createTorchScorer({ command: { ...command, python: '/nonexistent/python' }, modelDir, candidates: titles }).catch((e: Error) => e);
    expect((missing as Error).message).toMatch(/^cannot start the torch scorer \(\/nonexistent\/python -m labor_scorer.serve\): spawn \/nonexistent\/python ENOENT/);

    const dies = await createTorchScorer({ command: fake('echo "out of cheese" >&2; exit 1'), modelDir, candidates: titles }).catch((e: Error) => e);
    expect(dies).toBeInstanceOf(ScorerFailed);
    expect((dies as Error).message).toMatch(/exited with code 1; its stderr ends:\nout of cheese$/);

    const midway = await createTorchScorer({
      command: fake('echo \'{"event": "ready", "scorer": {}}\'; read line; echo "Traceback: boom" >&2; exit 1'), modelDir, candidates: titles,
    });
    const died = await midway.score([{ context: '1990 (some college):' }]).catch((e: Error) => e);
    expect(died).toBeInstanceOf(ScorerFailed);
    expect((died as Error).message).toMatch(/exited with code 1; its stderr ends:\nTraceback: boom$/);
    await midway.release();

    const garbage = await createTorchScorer({
      command: fake('echo \'{"event": "ready", "scorer": {}}\'; read line; echo "warming up" >&2; echo "hello there"; exec sleep 30'), modelDir, candidates: titles,
    });
    const err = await garbage.score([{ context: '1990 (some college):' }]).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ScorerFailed);
    expect((err as Error).message).toMatch(/broke its protocol: its answer to batch 0 was "hello there"; its stderr ends:\nwarming up$/);
    await garbage.release();
  }, BUILD_TIMEOUT);
});
