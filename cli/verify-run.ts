/**
 * `labor-llm verify <run>`: re-hashes every artifact a run's manifest names, and the outside
 * model folders it read, trusting no recorded size or mtime. A cache lookup trusts a file whose
 * size and mtime are unchanged (lib/artifacts/store.ts); this is the check that finds bytes
 * changed behind unchanged ones.
 *
 * Outside folders are compared with the store's digest record (lib/artifacts/file-digests.ts):
 * the digests recorded when a run last fingerprinted them, which are this run's unless a later
 * run fingerprinted an edited folder.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { ArtifactStore } from '../lib/artifacts/store';
import { hashFile } from '../lib/artifacts/hash-file';
import { readRunManifest } from '../lib/compare/run-evaluations';
import { filesUnder } from '../lib/artifacts/fingerprint-path';

export interface VerifyItem {
  state: 'ok' | 'changed' | 'missing';
  /** "step finetune (model)" or "folder finetune.base". */
  what: string;
  path: string;
  /** The files that differ, or a note ("3 files"). */
  detail: string;
}

interface ManifestForVerify {
  steps: { name: string; kind: string; output?: { path: string; sha256?: string } }[];
  config: { steps: { name: string; kind: string; base?: { path?: string }; model?: string | { path: string } }[] };
}

/** Most file names listed for one item; the rest are counted. */
const LISTED = 5;

function listOf(names: string[], what: string): string {
  const shown = names.slice(0, LISTED).join(', ');
  return names.length > LISTED ? `${what} ${shown} and ${names.length - LISTED} more` : `${what} ${shown}`;
}

async function verifyArtifact(store: ArtifactStore, step: ManifestForVerify['steps'][number]): Promise<VerifyItem> {
  const path = step.output!.path;
  const what = `step ${step.name} (${step.kind})`;
  const checked = existsSync(path) ? await store.verifyFully(path) : null;
  if (!checked) return { state: 'missing', what, path, detail: existsSync(path) ? 'its manifest.json is missing or unreadable' : 'the folder is gone' };
  const bad = checked.files.filter((f) => f.state !== 'ok');
  if (bad.length > 0) return { state: 'changed', what, path, detail: listOf(bad.map((f) => `${f.path} (${f.state})`), 'files') };
  if (step.output!.sha256 && step.output!.sha256 !== checked.sha256) {
    return { state: 'changed', what, path, detail: 'its manifest.json lists other files or digests than the run recorded' };
  }
  return { state: 'ok', what, path, detail: `${checked.files.length} files` };
}

async function verifyFolder(store: ArtifactStore, what: string, path: string): Promise<VerifyItem> {
  if (!existsSync(path)) return { state: 'missing', what, path, detail: 'the folder is gone' };
  const files = filesUnder(path);
  const changed: string[] = [];
  const unrecorded: string[] = [];
  for (const f of files) {
    const recorded = store.fileDigests.recorded(f);
    if (!recorded) unrecorded.push(relative(path, f));
    else if ((await hashFile(f)) !== recorded.sha256) changed.push(relative(path, f));
  }
  const gone = store.fileDigests.recordedUnder(path).filter((f) => !existsSync(f)).map((f) => relative(path, f));
  if (changed.length + gone.length > 0) {
    return { state: 'changed', what, path, detail: [changed.length ? listOf(changed, 'changed:') : '', gone.length ? listOf(gone, 'gone:') : ''].filter(Boolean).join('; ') };
  }
  const note = unrecorded.length ? `; ${listOf(unrecorded, 'no recorded digest (not checked):')}` : '';
  return { state: 'ok', what, path, detail: `${files.length - unrecorded.length} files${note}` };
}

/** The outside model folders a run's steps read, by step and role. */
function outsideFolders(manifest: ManifestForVerify): { what: string; path: string }[] {
  const out: { what: string; path: string }[] = [];
  for (const s of manifest.config.steps) {
    if (s.kind === 'finetune' && s.base?.path) out.push({ what: `folder ${s.name}.base`, path: resolve(s.base.path) });
    if (s.kind === 'evaluate' && typeof s.model === 'object' && s.model?.path) out.push({ what: `folder ${s.name}.model`, path: resolve(s.model.path) });
  }
  return out;
}

export async function verifyRun(manifestPath: string, store: ArtifactStore): Promise<VerifyItem[]> {
  const manifest = readRunManifest(manifestPath) as unknown as ManifestForVerify;
  const items: VerifyItem[] = [];
  for (const step of manifest.steps) if (step.output?.path) items.push(await verifyArtifact(store, step));
  for (const f of outsideFolders(manifest)) items.push(await verifyFolder(store, f.what, f.path));
  return items;
}

export function formatVerify(items: VerifyItem[]): string {
  const width = Math.max(...items.map((i) => i.what.length));
  return items.map((i) => `${i.state.padEnd(8)} ${i.what.padEnd(width)}  ${i.path}  (${i.detail})`).join('\n');
}
