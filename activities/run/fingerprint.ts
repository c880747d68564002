/**
 * Fingerprints of files a step reads from outside the artifact store (an imported survey extract,
 * a taxonomy CSV, the shipped default taxonomy, a user's model folder), so that editing them
 * invalidates the cache: a cache key that left them out would serve stale results after the data
 * changed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StepConfig } from '../../lib/config/schema';
import { DEFAULT_TAXONOMY_PATH } from '../../lib/panel/taxonomy';

/** Files above this size are fingerprinted by size and modification time instead of content. */
const CONTENT_HASH_LIMIT = 256 * 1024 * 1024;

async function fileDigest(path: string): Promise<string> {
  const { size, mtimeMs } = statSync(path);
  if (size > CONTENT_HASH_LIMIT) return `size:${size}:mtime:${Math.floor(mtimeMs)}`;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 over every file under `path` (or the file itself): relative names and digests. */
export async function fingerprintPath(path: string): Promise<string> {
  if (!existsSync(path)) return 'missing';
  const hash = createHash('sha256');
  const files = statSync(path).isDirectory()
    ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()
    : [path];
  for (const f of files) hash.update(`${relative(path, f)}\0${await fileDigest(f)}\n`);
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

export async function externalFingerprints(step: StepConfig, shipped?: ShippedFiles): Promise<Record<string, { sha256: string }>> {
  const out: Record<string, { sha256: string }> = {};
  for (const [role, path] of Object.entries(externalPaths(step, shipped))) out[`file:${role}`] = { sha256: await fingerprintPath(path) };
  return out;
}
