import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { dataSeed, loadConfig } from '../../lib/config/load';
import type { RunExperimentResult } from '../../temporal/run-types';
import { createHarness, type Harness } from '../helpers/temporal';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

async function activityCount(workflowId: string, type: string): Promise<number> {
  let n = 0;
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  for (const e of history.events ?? []) if (e.activityTaskScheduledEventAttributes?.activityType?.name === type) n++;
  return n;
}

describe('runExperimentWorkflow on a real Temporal server', () => {
  it('runs data then encode, and a rerun is served from the cache without step work', async () => {
    const loaded = loadConfig('test/fixtures/configs/tiny.yaml');
    const first = (await (await h.start(loaded)).result()) as RunExperimentResult;
    expect(first.steps.map((s) => [s.name, s.status])).toEqual([['survey', 'done'], ['text', 'done']]);
    expect(first.steps[1].summary).toMatchObject({ texts: 200 });
    expect(existsSync(first.manifestPath)).toBe(true);
    const manifest = JSON.parse(readFileSync(first.manifestPath, 'utf8'));
    expect(manifest).toMatchObject({ experiment: 'tiny', configHash: loaded.hash, status: 'succeeded' });
    expect(manifest.steps[0].output.sha256).toBe(first.steps[0].artifact!.sha256);
    expect(manifest.seeds).toEqual({ survey: dataSeed(3, 'survey') });

    const handle = await h.start(loaded);
    const second = (await handle.result()) as RunExperimentResult;
    expect(second.steps.map((s) => s.status)).toEqual(['cached', 'cached']);
    expect(second.steps[1].artifact).toEqual(first.steps[1].artifact);
    expect(await activityCount(handle.workflowId, 'prepareData')).toBe(0);
    expect(await activityCount(handle.workflowId, 'encodeText')).toBe(0);

    // --rerun recomputes the named step and what depends on it, nothing upstream.
    const rerun = await h.start(loaded, { rerun: ['text'] });
    const third = (await rerun.result()) as RunExperimentResult;
    expect(third.steps.map((s) => s.status)).toEqual(['cached', 'done']);
  });

  it('fails with the data error, then resume reuses what finished', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labor-llm-resume-'));
    const taxonomy = join(dir, 'taxonomy.csv');
    writeFileSync(taxonomy, 'code,title\n1,Cooks\n2,Cooks\n'); // one title for two codes: invalid
    const file = join(dir, 'exp.yaml');
    writeFileSync(
      file,
      `schemaVersion: 1\nname: resume-test\ntimeouts: { heartbeat: 5s }\nsteps:\n` +
        `  - {name: good, kind: data, source: synthetic, population: survey, persons: 50}\n` +
        `  - {name: bad, kind: data, source: synthetic, population: survey, persons: 50, taxonomy: taxonomy.csv}\n` +
        `  - {name: text, kind: encode, input: bad}\n`,
    );
    const loaded = loadConfig(file);
    const handle = await h.start(loaded);
    const err = await handle.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause.message).toContain("step 'bad' failed");
    expect(err.cause.message).toContain('one title for two codes');
    expect(err.cause.type).toBe('InvalidData');

    // Fix the data, start the same run again: the good step comes from the cache.
    writeFileSync(taxonomy, 'code,title\n1,Cooks\n2,Bakers\n');
    const resumed = (await (await h.start(loaded)).result()) as RunExperimentResult;
    expect(resumed.steps.map((s) => [s.name, s.status])).toEqual([['good', 'cached'], ['bad', 'done'], ['text', 'done']]);
  });
});
