/**
 * `export: auto` on a finetune step: the ONNX export is made only when an ONNX scorer of the
 * experiment will read it. A 7B model's fp32 ONNX file is about 27 GB and takes a while to write
 * and check, for nothing when the evaluations score it with the torch backend.
 *
 * Readers of a finetune step's ONNX folder: an evaluate step whose `model` is the step and whose
 * scorer is `onnx`, and an analyze step whose trajectories sample through `onnx` from an
 * evaluation of the step. A step nobody reads through ONNX (a foundation model that is only a
 * base, a model scored by torch) resolves to `export: none`, which the resolved config shows. A
 * step read through ONNX keeps `auto`, which the trainer takes as `onnx`: its output is what it
 * was, and so is its cache key, a hash of its config.
 */
import type { StepConfig } from './schema';

export function resolveAutoExport(steps: StepConfig[]): StepConfig[] {
  const readByOnnx = new Set<string>();
  const modelOf = new Map<string, string>(); // evaluate step -> the finetune or fit step it scores
  for (const s of steps) {
    if (s.kind !== 'evaluate' || typeof s.model !== 'string') continue;
    modelOf.set(s.name, s.model);
    if (s.scorer.backend === 'onnx') readByOnnx.add(s.model);
  }
  for (const s of steps) {
    if (s.kind !== 'analyze' || !s.trajectories || s.trajectories.scorer.backend !== 'onnx') continue;
    for (const e of s.evaluations) if (modelOf.has(e)) readByOnnx.add(modelOf.get(e)!);
  }
  return steps.map((s) => (s.kind === 'finetune' && s.export === 'auto' && !readByOnnx.has(s.name) ? { ...s, export: 'none' } : s));
}
