import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidData } from '../../lib/errors';
import { renderReport, reportMarkdown, type ReportInput } from '../../lib/report';
import { formatInterval } from '../../lib/report/format';
import { MIN_PERSONS, RARE_RACE, reportInput, runFixture } from './fixtures';

const one = runFixture();
const two = [one, runFixture({ id: 'quickstart-b71e0a44', seed: 21, bias: 0.05 })];

/** The figures of a page, by their data-chart name, in order. */
function figures(html: string): { name: string; body: string }[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)].map((m) => ({ name: m[1], body: m[2] }));
}

/** The HTML of one section, by id. */
function section(html: string, id: string): string {
  const m = html.match(new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`));
  if (!m) throw new Error(`no section #${id}`);
  return m[1];
}

/** Items drawn by a Vega mark group (e.g. the perplexity chart's bars: layer_0_marks). */
function markItems(svg: string, mark: string, name: string): number {
  const m = svg.match(new RegExp(`<g class="mark-${mark} role-mark ${name}"[^>]*>(.*?)</g>`));
  return m ? (m[1].match(/<(path|line)\b/g) ?? []).length : 0;
}

afterEach(() => vi.restoreAllMocks());

describe('renderReport: one run', () => {
  it('has every section, four charts, and draws them without a Vega warning', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const html = await renderReport(reportInput([one]));
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const id of ['results', 'representativeness', 'too-small', 'provenance']) expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toMatch(/<script|<link|src="http|href="http(?!:\/\/127\.0\.0\.1:8233)/); // self-contained: nothing fetched, nothing run
    const figs = figures(html);
    expect(figs.map((f) => f.name)).toEqual(['perplexity', 'distance', 'rates', 'calibration']);
    for (const f of figs) expect(f.body).toMatch(/^<svg [^>]*class="marks"/);
    expect(markItems(figs[0].body, 'rect', 'layer_0_marks')).toBe(4); // one bar per model
  });

  it('results table: every model with its metrics and the perplexity interval; the best non-oracle perplexity bold', async () => {
    const html = await renderReport(reportInput([one]));
    const table = section(html, 'results').match(/<table class="results">([\s\S]*?)<\/table>/)![1];
    const rows = table.split('<tbody>')[1].match(/<tr\b/g)!;
    expect(rows).toHaveLength(4);
    const metrics = one.evaluations[0].models;
    for (const [name, m] of Object.entries(metrics)) {
      expect(table).toContain(`<td class="">${name}</td>`);
      expect(table).toContain(`${m.perplexity.toFixed(3)}<span class="ci">${formatInterval(m.ci!.perplexity)}</span>`);
      expect(table).toContain(`>${m.brier.toFixed(3)}<`);
    }
    const best = Object.entries(metrics).filter(([n]) => n !== 'oracle').sort((a, b) => a[1].perplexity - b[1].perplexity)[0];
    expect(table).toContain(`<td class="num best">${best[1].perplexity.toFixed(3)}`);
    expect(table).toMatch(/<tr class="oracle"><td class="">oracle<\/td>/);
  });

  it('lists too-small subgroups in their table and plots none of them', async () => {
    const html = await renderReport(reportInput([one]));
    const small = one.analysis!.oneStep.subgroups.filter((g) => g.status === 'too_small').map((g) => g.id);
    expect(small).toEqual([`race=${RARE_RACE}`, `gender=female&race=${RARE_RACE}`, `gender=male&race=${RARE_RACE}`]);
    const tooSmall = section(html, 'too-small');
    expect(tooSmall).toContain('Subgroups too small to analyse (3)');
    for (const id of small) expect(tooSmall).toContain(`<td class="">${id.replace(/&/g, '&amp;')}</td>`);
    expect(tooSmall).toContain(`<td class="num">${MIN_PERSONS}</td>`);
    for (const f of figures(html)) expect(f.body).not.toContain(RARE_RACE);
    // Subgroups with statistics are plotted.
    expect(figures(html).find((f) => f.name === 'distance')!.body).toContain('gender=female&amp;race=r1');
  });

  it('lists the flags and the method; provenance with the Web UI link, digests, seeds and the config as YAML', async () => {
    const html = await renderReport(reportInput([one]));
    const rep = section(html, 'representativeness');
    expect(rep).toMatch(/<td class="">finetune<\/td><td class="flag">non-employment rate gap<\/td><td class="num">\d+<\/td><td class="">[^<]*gender=female/);
    expect(rep).toContain('person bootstrap');
    const prov = section(html, 'provenance');
    const p = one.provenance;
    expect(prov).toContain(`<a class="mono" href="${p.webUrl}">${p.runId}</a>`);
    expect(prov).toContain(p.workflowId);
    expect(prov).toContain(p.codeCommit);
    for (const a of p.artifacts) expect(prov).toContain(a.sha256);
    expect(prov).toContain('<td class="">python:torch</td><td class="mono">2.13.0</td>');
    expect(prov).toContain('<td class="">analyze</td><td class="num">3</td>');
    expect(prov).toContain('template: resume-v1');
    expect(prov).toMatch(/- name: finetune\n\s+kind: finetune\n\s+provider: local/);
  });

  it('is the same page byte for byte when rendered twice', async () => {
    expect(await renderReport(reportInput([one]))).toBe(await renderReport(reportInput([one])));
  });

  it('renders from the JSON form (metrics.json writes an infinite perplexity as null): shown as ∞, left out of the chart', async () => {
    const input = JSON.parse(JSON.stringify(reportInput([one]))) as ReportInput;
    (input.runs[0].evaluations[0].models.marginal as { perplexity: number | null }).perplexity = null;
    const html = await renderReport(input);
    expect(section(html, 'results')).toMatch(/<td class="num">∞<span class="ci">/);
    expect(markItems(figures(html)[0].body, 'rect', 'layer_0_marks')).toBe(3);
  });

  it('without an analysis: the results and provenance, one chart, a note instead of subgroups', async () => {
    const html = await renderReport(reportInput([runFixture({ analysis: false, bootstrap: 0 })]));
    expect(figures(html).map((f) => f.name)).toEqual(['perplexity']);
    expect(section(html, 'representativeness')).toContain('No analyze step in this run');
    expect(markItems(figures(html)[0].body, 'rule', 'layer_1_marks')).toBe(0); // no intervals, no whiskers
    expect(reportMarkdown(reportInput([runFixture({ analysis: false, bootstrap: 0 })]))).toContain('No analyze step');
  });
});

describe('renderReport: escaping', () => {
  it('text with markup from a run (model, step, run id, description, config) stays text', async () => {
    const evil = '<script>alert("x")</script>';
    const run = runFixture({ id: 'run<i>&', finetuneName: evil, evaluateStep: 'evaluate<b>', bootstrap: 20 });
    run.description = '<img src=x onerror=alert(1)>';
    run.provenance.webUrl = 'javascript:alert(1)';
    const html = await renderReport(reportInput([run, runFixture({ id: 'other', bootstrap: 20 })], 'Report <u>title</u>'));
    expect(html).not.toMatch(/<script|<b>|<i>|<u>|<img|javascript:alert\(1\)"/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('evaluate&lt;b&gt;');
    expect(html).toContain('run&lt;i&gt;&amp;');
    expect(html).toContain('<title>Report &lt;u&gt;title&lt;/u&gt;</title>');
    // The model name is escaped inside the SVGs too (chart labels and legends).
    const svgText = figures(html).map((f) => f.body).join('');
    expect(svgText).toContain('&lt;script&gt;');
    // A run's web URL that is not http(s) is shown, never linked.
    expect(html).not.toContain('href="javascript:');
    const md = reportMarkdown(reportInput([run]));
    expect(md).toContain(evil); // Markdown for a terminal: shown as is
  });
});

describe('renderReport: runs compared', () => {
  it('one page with both runs: a run column, charts by run, both provenances', async () => {
    const html = await renderReport(reportInput(two, 'Two runs'));
    const results = section(html, 'results');
    expect(results).toContain('<th class="">run</th>');
    for (const r of two) {
      expect(results.match(new RegExp(`<td class="">${r.id}</td>`, 'g'))).toHaveLength(4);
      expect(section(html, 'provenance')).toContain(`<div class="run-block" data-run="${r.id}">`);
    }
    const figs = figures(html);
    expect(figs.map((f) => f.name)).toEqual(['perplexity', 'distance', 'rates', 'calibration']);
    expect(markItems(figs[0].body, 'rect', 'layer_0_marks')).toBe(8);
    for (const r of two) {
      expect(figs[1].body).toContain(`${r.id} · finetune`); // one panel per run and model
      expect(figs[3].body).toContain(`>${r.id}</text>`); // one calibration panel per run
    }
  });

  it('rejects no runs and duplicate run ids', async () => {
    await expect(renderReport(reportInput([]))).rejects.toThrow(InvalidData);
    await expect(renderReport(reportInput([one, one]))).rejects.toThrow(/run ids must differ, found quickstart-3f9a2c1d/);
  });
});

describe('reportMarkdown', () => {
  it('summarises the results table, the flagged subgroups and the too-small count', () => {
    const md = reportMarkdown(reportInput([one]));
    const lines = md.split('\n');
    expect(lines[0]).toBe('# LABOR-LLM report: quickstart');
    expect(lines).toContain('| model | perplexity | interval | raw ppl | top-1 | top-5 | ECE | change AUC | LF AUC |');
    for (const [name, m] of Object.entries(one.evaluations[0].models)) {
      expect(lines.some((l) => l.startsWith(`| ${name} | ${m.perplexity.toFixed(3)} | ${formatInterval(m.ci!.perplexity)} |`))).toBe(true);
    }
    expect(md).toMatch(/## Flagged subgroups \(\d+ flags\)/);
    expect(md).toMatch(/^- finetune, non-employment rate gap: all, gender=female,/m);
    expect(md).not.toMatch(/^- finetune, non-employment rate gap: .*gender=male(,|$)/m);
    expect(md).toContain(`Subgroups too small to analyse: 3 (race=${RARE_RACE}, gender=female&race=${RARE_RACE}, gender=male&race=${RARE_RACE}).`);
  });

  it('with two runs: a run column', () => {
    const md = reportMarkdown(reportInput(two));
    expect(md).toContain('| run | model | perplexity |');
    expect(md).toContain('| quickstart-b71e0a44 | finetune |');
  });
});

describe('result rows', () => {
  it('name each evaluation’s own model by its step, so the perplexity chart gives each its own colour', async () => {
    const { resultRows } = await import('../../lib/report/rows');
    const run = runFixture({ analysis: false, bootstrap: 0 });
    const [e] = run.evaluations;
    // As the evaluate step writes them: the evaluated model's folder is "model" in every evaluation.
    const { [e.model!]: own, ...rest } = e.models;
    const first = { ...e, models: { model: own, ...rest } };
    const second = { ...first, step: 'evaluate-other', models: { model: { ...own, perplexity: own.perplexity! * 1.5 } } };
    const input = reportInput([{ ...run, evaluations: [first, second] }]);
    expect(resultRows(input).filter((r) => r.model === 'model').map((r) => r.series)).toEqual([e.step, 'evaluate-other']);
    const chart = figures(await renderReport(input)).find((f) => f.name === 'perplexity')!.body;
    const bars = chart.match(/<g class="mark-rect role-mark layer_0_marks"[^>]*>(.*?)<\/g>/)![1];
    const fills = [...bars.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    // One bar per row; the two evaluated models differ in colour from each other and from the oracle's grey.
    expect(fills).toHaveLength(resultRows(input).length);
    expect(new Set(fills).size).toBe(fills.length);
  });

  it('show a baseline or oracle that two evaluations of a run share once, and every evaluated model', async () => {
    const { resultRows } = await import('../../lib/report/rows');
    const run = runFixture({ analysis: false, bootstrap: 0 });
    const [e] = run.evaluations;
    // A second evaluation on the same points: its own model, the same baselines and oracle.
    const own = e.model!;
    const other = { ...e, step: 'evaluate-other', models: { ...e.models, [own]: { ...e.models[own], perplexity: e.models[own].perplexity! * 1.1 } } };
    const rows = resultRows(reportInput([{ ...run, evaluations: [e, other] }]));
    expect(rows.map((r) => `${r.step}:${r.model}`)).toEqual([...Object.keys(e.models).map((m) => `${e.step}:${m}`), `evaluate-other:${own}`]);
    // A baseline whose metrics differ (another fit) keeps its row.
    const refit = { ...other, models: { ...other.models, markov: { ...e.models.markov, perplexity: 9.99 } } };
    expect(resultRows(reportInput([{ ...run, evaluations: [e, refit] }])).map((r) => `${r.step}:${r.model}`)).toContain('evaluate-other:markov');
  });
});
