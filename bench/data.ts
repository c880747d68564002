/**
 * Data-step benchmark: generate about 1,000,000 synthetic person-years (oracle off) and encode
 * them with the default template. Run: `npx tsx bench/data.ts`. The last line printed is one
 * JSON object with the figures (more are added by other benchmarks through runDataBenchmark).
 */
import { fileURLToPath } from 'node:url';
import { generatePanel } from '../lib/synth';
import { loadTaxonomy } from '../lib/panel/taxonomy';
import { encodePanel, DEFAULT_TEMPLATE } from '../lib/text';

export interface DataBenchmarkOptions {
  personYears?: number;
  seed?: number;
  log?: (line: string) => void;
}

export async function runDataBenchmark(options: DataBenchmarkOptions = {}): Promise<Record<string, number>> {
  const target = options.personYears ?? 1_000_000;
  const seed = options.seed ?? 1;
  const log = options.log ?? (() => {});
  const taxonomy = loadTaxonomy('default');

  // Size the panel from a small pilot (the mean observed years per person of the population).
  const pilot = generatePanel({ taxonomy, population: 'survey', persons: 2000, seed, oracle: false });
  const persons = Math.ceil((target * 2000) / pilot.personYears.year.length);

  let t0 = performance.now();
  const panel = generatePanel({ taxonomy, population: 'survey', persons, seed, oracle: false });
  const generateS = (performance.now() - t0) / 1000;
  const rows = panel.personYears.year.length;
  log(`generate: ${persons} persons, ${rows} person-years in ${generateS.toFixed(2)} s (${Math.round(rows / generateS)} person-years/s)`);

  t0 = performance.now();
  const enc = encodePanel(panel, DEFAULT_TEMPLATE);
  const encodeS = (performance.now() - t0) / 1000;
  const chars = enc.texts.text.reduce((s, t) => s + t.length, 0);
  log(`encode: ${enc.texts.text.length} texts, ${enc.points.year.length} points, ${(chars / 1e6).toFixed(1)} M characters in ${encodeS.toFixed(2)} s (${Math.round(rows / encodeS)} person-years/s)`);

  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  log(`peak RSS: ${peakRssMb.toFixed(0)} MB`);
  return {
    person_years: rows,
    persons,
    generate_s: round(generateS, 3),
    generate_person_years_per_s: Math.round(rows / generateS),
    encode_s: round(encodeS, 3),
    encode_person_years_per_s: Math.round(rows / encodeS),
    peak_rss_mb: round(peakRssMb, 1),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export async function main(): Promise<void> {
  const figures = await runDataBenchmark({ log: (line) => console.log(line) });
  console.log(JSON.stringify(figures));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
