/**
 * npx tsx scripts/report-screenshot.ts REPORT.html OUT.png [HEIGHT]
 *
 * A PNG of a report as a browser shows it (Debian's chromium, or LABOR_LLM_CHROMIUM): the
 * README's picture of the quickstart report is made this way. HEIGHT (pixels) crops a long page;
 * the full page by default.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [html, out, height] = process.argv.slice(2);
const executablePath = process.env.LABOR_LLM_CHROMIUM || '/usr/bin/chromium';
if (!html || !out || (height !== undefined && !(Number(height) > 0))) {
  console.error('usage: npx tsx scripts/report-screenshot.ts REPORT.html OUT.png [HEIGHT]');
  process.exit(2);
}
if (!existsSync(html)) {
  console.error(`no report at ${html}`);
  process.exit(2);
}
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: apt-get install chromium, or set LABOR_LLM_CHROMIUM`);
  process.exit(2);
}
const browser = await chromium.launch({ executablePath, chromiumSandbox: false });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
  const clip = height ? { x: 0, y: 0, width: 1280, height: Number(height) } : undefined;
  await page.screenshot({ path: out, fullPage: true, clip });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
