/**
 * Determinism: recorded histories of a real run (data, encode, finetune and evaluate child
 * workflows) must replay against the current workflow code. A change that would break running
 * workflows fails here; re-record the fixtures only for a deliberate, versioned change
 * (see test/fixtures/histories/README.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../temporal/worker';

// The recorded workflow ids: child ids derive from the parent's, so replay must use the same.
const RUN = 'replay-fixture-119fa07c5b';
const fixtures: Record<string, string> = { 'run-experiment': RUN, 'child-model': `${RUN}/model`, 'child-evaluate': `${RUN}/evaluate` };

describe('replay of recorded histories', () => {
  for (const [name, workflowId] of Object.entries(fixtures)) {
    it(`${name} replays without nondeterminism`, async () => {
      const history = JSON.parse(readFileSync(`test/fixtures/histories/${name}.json`, 'utf8'));
      expect(history.events.length).toBeGreaterThan(10);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
    }, 120_000);
  }
});
