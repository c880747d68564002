/**
 * The encode step's work, run as a task in a worker thread (threads/run-in-thread.ts): reads the
 * panel, writes the texts, the prediction points and their covariates (point_features.arrow,
 * for the non-text models) into the folder it is given, returns a summary.
 */
import type { EncodeStepConfig } from '../../lib/config/schema';
import { computePointFeatures } from '../../lib/features';
import { readPanel } from '../../lib/panel/panel-io';
import { encodePanel, writeEncoded } from '../../lib/text';
import type { Progress } from '../threads/run-in-thread';

export function writeEncodedStep(dir: string, panelDir: string, step: EncodeStepConfig, progress: Progress): Record<string, unknown> {
  progress({ phase: 'reading panel' });
  const panel = readPanel(panelDir);
  progress({ phase: 'encoding' });
  const encoded = encodePanel(panel, step.template);
  progress({ phase: 'point features' });
  const features = computePointFeatures(panel);
  progress({ phase: 'writing' });
  writeEncoded(dir, encoded, features);
  return {
    template: `${encoded.template.name}@${encoded.template.version}`,
    texts: encoded.texts.text.length,
    points: encoded.points.year.length,
    // kept in the manifest for the evaluate step (also in texts.arrow's schema metadata)
    templateRef: encoded.template,
    continuation: encoded.continuation,
  };
}
