/**
 * `npm run bench:score -- --backend torch [--device cuda] [labor_scorer.bench options]`: the torch
 * scoring backend's benchmark (scorer/labor_scorer/bench.py), run with the project's venv. On CPU
 * a tiny random Llama and the Census titles; on CUDA a random Llama-2-7B-shaped model with the real
 * Llama-2 vocabulary (llama-tokenizer-js's, as tokenizer.json) and 256-token contexts. Its last
 * line, one JSON object (s_per_point, tokens_per_s, flop_floor_s_per_point, ratio_to_flop_floor,
 * naive_s_per_point on a sample, max_abs_logprob_diff, peak_mem_mb), is this command's last line.
 * Env: BENCH_POINTS (contexts; 4 on CPU, 16 on CUDA).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, readSettings } from '../lib/env';
import { llamaVocabTokenizer } from '../test/lm/sp-fixtures';

export function runTorchBench(args: string[]): number {
  const at = args.indexOf('--device');
  const device = at >= 0 ? args[at + 1] : 'cpu';
  if (device !== 'cpu' && device !== 'cuda') throw new Error(`--device must be cpu or cuda, got '${device}'`);
  const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  const has = (flag: string) => rest.includes(flag);
  const contexts = process.env.BENCH_POINTS ?? (device === 'cuda' ? '16' : '4');
  const argv = ['-m', 'labor_scorer.bench', '--device', device, ...rest];
  if (!has('--shape')) argv.push('--shape', device === 'cuda' ? '7b' : 'tiny');
  if (!has('--contexts')) argv.push('--contexts', contexts);
  if (device === 'cuda' && !has('--tokenizer')) argv.push('--tokenizer', llamaVocabTokenizer());
  console.log(`torch scoring benchmark: python ${argv.join(' ')}`);
  const r = spawnSync(readSettings().LABOR_LLM_PYTHON, argv, {
    cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, PYTHONPATH: join(PROJECT_ROOT, 'scorer'), PYTHONUNBUFFERED: '1' },
  });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
