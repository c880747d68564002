/**
 * The code version of each step kind, part of every cache key. step-code.json records it with
 * the hash of the kind's code closure (code-closure.ts); the step-code test fails when a closure
 * no longer matches the file, and `npm run step-code:update` then bumps the version of each
 * changed kind, so an artifact built by older code is never served for newer code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StepKind } from '../../lib/config/schema';
import type { Closure } from './code-closure';

export interface StepCodeRecord extends Closure {
  version: number;
}

export interface StepCode {
  note: string;
  kinds: Record<StepKind, StepCodeRecord>;
}

export const STEP_CODE_FILE = fileURLToPath(new URL('./step-code.json', import.meta.url));
const NOTE = 'Written by `npm run step-code:update`, checked by test/activities/step-code.test.ts: see activities/run/step-code.ts.';

let loaded: StepCode | undefined;
export function readStepCode(): StepCode {
  return (loaded ??= JSON.parse(readFileSync(STEP_CODE_FILE, 'utf8')) as StepCode);
}

export function stepCodeVersion(kind: StepKind): number {
  const record = readStepCode().kinds[kind];
  if (!record) throw new Error(`${STEP_CODE_FILE}: no entry for step kind '${kind}'; run \`npm run step-code:update\``);
  return record.version;
}

/** The files whose code differs between a record and a fresh closure, as "path (changed|added|removed)". */
export function changedFiles(record: Pick<Closure, 'files'> | undefined, closure: Closure): string[] {
  const before = record?.files ?? {};
  const paths = [...new Set([...Object.keys(before), ...Object.keys(closure.files)])].sort();
  return paths.flatMap((p) =>
    !(p in before) ? [`${p} (added)`] : !(p in closure.files) ? [`${p} (removed)`] : before[p] !== closure.files[p] ? [`${p} (changed)`] : [],
  );
}

/**
 * The record for fresh closures: a kind whose closure changed gets the next version, unless it
 * is kept (its author states the change cannot change its outputs); a new kind starts at 1.
 */
export function updatedStepCode(current: StepCode | undefined, closures: Record<StepKind, Closure>, keep: readonly StepKind[] = []): { code: StepCode; bumped: StepKind[] } {
  const bumped: StepKind[] = [];
  const kinds = Object.fromEntries(
    (Object.keys(closures) as StepKind[]).map((kind) => {
      const old = current?.kinds[kind];
      const closure = closures[kind];
      let version = old?.version ?? 1;
      if (old && old.sha256 !== closure.sha256 && !keep.includes(kind)) {
        version++;
        bumped.push(kind);
      }
      return [kind, { version, sha256: closure.sha256, files: closure.files }];
    }),
  ) as Record<StepKind, StepCodeRecord>;
  return { code: { note: NOTE, kinds }, bumped };
}
