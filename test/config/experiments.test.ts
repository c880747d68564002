import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load';

describe('shipped experiments', () => {
  for (const file of readdirSync('experiments').filter((f) => f.endsWith('.yaml'))) {
    it(`${file} validates`, () => {
      const { config } = loadConfig(`experiments/${file}`);
      expect(config.steps.length).toBeGreaterThan(0);
    });
  }
});
