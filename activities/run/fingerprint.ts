/**
 * Fingerprints of files a step reads from outside the artifact store (an imported survey extract,
 * a taxonomy CSV, the shipped default taxonomy, a user's model folder), so that editing them
 * invalidates the cache: a cache key that left them out would serve stale results after the data
 * changed.
 */
import type { StepConfig } from '../../lib/config/schema';
import type { FileDigests } from '../../lib/artifacts/file-digests';
import { fingerprintPath } from '../../lib/artifacts/fingerprint-path';
import { DEFAULT_TAXONOMY_PATH } from '../../lib/panel/taxonomy';

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
