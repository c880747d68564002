/**
 * The report in a real headless browser (Debian's chromium driven by playwright-core): the page
 * loads from a file with no console or page errors and no network request, every chart's SVG
 * holds drawn marks, and a full-page screenshot is written to test-results/ for a person to see.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../lib/report';
import { careersFixture, reportInput, runFixture } from './fixtures';

const CHROMIUM = process.env.LABOR_LLM_CHROMIUM || '/usr/bin/chromium';
const OUT = join(process.cwd(), 'test-results');

let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the report's browser test needs it. Install Debian's package ` +
        '(apt-get install chromium) or set LABOR_LLM_CHROMIUM to a Chromium or Chrome executable.',
    );
  }
  // No sandbox (--no-sandbox; Playwright's default, stated here): Chromium's sandbox refuses to run as root, as CI does.
  browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false });
  dir = mkdtempSync(join(tmpdir(), 'labor-llm-report-'));
  mkdirSync(OUT, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Loaded {
  errors: string[];
  requests: string[];
  charts: { name: string | null; svgs: number; marks: number }[];
}

/** Opens the page from a file, collects errors and requests, counts each chart's data marks. */
async function load(html: string, screenshot: string): Promise<Loaded> {
  const file = join(dir, `${screenshot}.html`);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // Vega draws a mark's items inside <g class="mark-... role-mark ...">; axes, legends and titles are other roles.
  const charts = await page.$$eval('figure.chart', (figs) =>
    figs.map((f) => ({
      name: f.getAttribute('data-chart'),
      svgs: f.querySelectorAll('svg').length,
      marks: f.querySelectorAll('svg g.role-mark > path, svg g.role-mark > line, svg g.role-mark > rect, svg g.role-mark > circle').length,
    })),
  );
  await page.screenshot({ path: join(OUT, `${screenshot}.png`), fullPage: true });
  await page.close();
  return { errors, requests, charts };
}

describe('report in a headless browser', () => {
  it('one run: loads cleanly offline, every chart draws marks, screenshot written', async () => {
    const run = runFixture();
    run.analysis!.trajectories = await careersFixture();
    const loaded = await load(await renderReport(reportInput([run])), 'report');
    expect(loaded.errors).toEqual([]);
    expect(loaded.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(loaded.charts.map((c) => c.name)).toEqual(['perplexity', 'distance', 'rates', 'calibration', 'trajectories', 'transitions']);
    for (const c of loaded.charts) {
      expect(c.svgs, c.name!).toBe(1);
      expect(c.marks, c.name!).toBeGreaterThan(0);
    }
    // 4 models: 4 bars, 4 whiskers and 4 value labels (text is not counted) in the perplexity chart.
    expect(loaded.charts[0].marks).toBe(8);
    expect(existsSync(join(OUT, 'report.png'))).toBe(true);
  });

  it('two runs compared: loads cleanly, every chart draws marks', async () => {
    const runs = [runFixture({ id: 'quickstart-3f9a2c1d' }), runFixture({ id: 'quickstart-b71e0a44', seed: 21, bias: 0.05 })];
    const loaded = await load(await renderReport(reportInput(runs, 'LABOR-LLM: two runs compared')), 'report-compare');
    expect(loaded.errors).toEqual([]);
    expect(loaded.charts.map((c) => c.name)).toEqual(['perplexity', 'distance', 'rates', 'calibration']);
    for (const c of loaded.charts) expect(c.marks, c.name!).toBeGreaterThan(0);
    expect(loaded.charts[0].marks).toBe(16);
  });
});
