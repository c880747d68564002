/**
 * npm run step-code:update [-- --keep-version KIND ...]
 *
 * Recomputes each step kind's code closure and rewrites activities/run/step-code.json, bumping
 * the version of every kind whose code changed, so its cached artifacts are rebuilt.
 * `--keep-version KIND` keeps a changed kind's version: only for a change that cannot change its
 * outputs (a refactor, a message), and say so in the commit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../lib/artifacts/atomic';
import { PROJECT_ROOT } from '../lib/env';
import type { StepKind } from '../lib/config/schema';
import { STEP_ENTRIES, stepClosure } from '../activities/run/code-closure';
import { changedFiles, STEP_CODE_FILE, updatedStepCode, type StepCode } from '../activities/run/step-code';

const kinds = Object.keys(STEP_ENTRIES) as StepKind[];
const args = process.argv.slice(2);
const keep: StepKind[] = [];
for (let i = 0; i < args.length; i++) {
  const kind = args[i] === '--keep-version' ? args[++i] : undefined;
  if (!kind || !kinds.includes(kind as StepKind)) {
    console.error(`usage: npm run step-code:update [-- --keep-version KIND ...]; KIND is one of ${kinds.join(', ')}; found '${args[i] ?? ''}'`);
    process.exit(2);
  }
  keep.push(kind as StepKind);
}

const current = existsSync(STEP_CODE_FILE) ? (JSON.parse(readFileSync(STEP_CODE_FILE, 'utf8')) as StepCode) : undefined;
const closures = Object.fromEntries(kinds.map((k) => [k, stepClosure(PROJECT_ROOT, k)])) as Record<StepKind, ReturnType<typeof stepClosure>>;
const { code, bumped } = updatedStepCode(current, closures, keep);
for (const kind of kinds) {
  const changes = changedFiles(current?.kinds[kind], closures[kind]);
  const before = current?.kinds[kind]?.version;
  const version = code.kinds[kind].version;
  const status = before === undefined ? `new, version ${version}` : changes.length === 0 ? `version ${version}, unchanged`
    : before === version ? `version ${version} kept` : `version ${before} -> ${version}`;
  console.log(`${kind}: ${status}${changes.length && before !== undefined ? `; ${changes.join(', ')}` : ''}`);
}
writeJsonAtomic(STEP_CODE_FILE, code);
console.log(`wrote ${STEP_CODE_FILE}${bumped.length ? `; cached ${bumped.join(', ')} artifacts will be rebuilt` : ''}`);
