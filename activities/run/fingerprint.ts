/**
 * Fingerprints of files a step reads from outside the artifact store (an imported survey extract,
 * a taxonomy CSV, the shipped default taxonomy, a user's model folder), so that editing them
 * invalidates the cache: a cache key that left them out would serve stale results after the data
 * changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StepConfig } from '../../lib/config/schema';
import type { FileDigests } from '../../lib/artifacts/file-digests';
import { hashFile } from '../../lib/artifacts/hash-file';
import { DEFAULT_TAXONOMY_PATH } from '../../lib/panel/taxonomy';

/** Every file under `path` (or the file itself), sorted. */
export function filesUnder(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()
    : [path];
}

/**
 * sha256 over every file under `path` (or the file itself): relative names and content digests.
 * With `digests` (the store's record), a file whose size and mtime are unchanged since it was
 * hashed is not read again (file-digests.ts says what that trusts).
 */
export async function fingerprintPath(path: string, digests?: FileDigests): Promise<string> {
  if (!existsSync(path)) return 'missing';
  const files = filesUnder(path);
  const shas = digests ? await digests.digestFiles(files) : await Promise.all(files.map((f) => hashFile(f)));
  const hash = createHash('sha256');
  files.forEach((f, i) => hash.update(`${relative(path, f)}\0${shas[i]}\n`));
  return hash.digest('hex');
}

/** Shipped files a step reads when its config names none (tests point them elsewhere). */
export interface ShippedFiles {
  defaultTaxonomy: string;
}
const SHIPPED: ShippedFiles = { defaultTaxonomy: DEFAULT_TAXONOMY_PATH };

/** The outside paths a step reads, by role. */
export function externalPaths(step: StepConfig, shipped: ShippedFiles = SHIPPED): Record<string, string> {
  switch (step.kind) {
    case 'data':
      return {
        taxonomy: step.taxonomy === 'default' ? shipped.defaultTaxonomy : step.taxonomy,
        ...('path' in step ? { source: step.path } : {}),
      };
    case 'finetune':
      return 'path' in step.base ? { base: step.base.path } : {};
    case 'evaluate':
      return typeof step.model === 'object' ? { model: step.model.path } : {};
    default:
      return {};
  }
}

export async function externalFingerprints(step: StepConfig, shipped?: ShippedFiles, digests?: FileDigests): Promise<Record<string, { sha256: string }>> {
  const out: Record<string, { sha256: string }> = {};
  for (const [role, path] of Object.entries(externalPaths(step, shipped))) out[`file:${role}`] = { sha256: await fingerprintPath(path, digests) };
  return out;
}
