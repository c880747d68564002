/** One look for every chart: the page's fonts, quiet axes, and one colour per model across charts. */
import type { Config } from 'vega-lite';

export const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif';

export const CHART_CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333', labelColor: '#333', gridColor: '#ececec', domainColor: '#999', tickColor: '#999' },
  header: { labelFontSize: 12, labelFontWeight: 'bold', labelColor: '#222', titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', orient: 'bottom', direction: 'horizontal', labelLimit: 0 },
  title: { fontSize: 13, fontWeight: 'bold', anchor: 'start', color: '#222' },
};

/** Tableau 10 without its grey, which marks the oracle. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
export const ORACLE_COLOR = '#9a9a9a';
export const REFERENCE_COLOR = '#dcdcdc';
export const FLAG_COLOR = '#c62828';

export interface ModelColors {
  domain: string[];
  range: string[];
}

/** A colour per model name, in order of first appearance; oracles grey. */
export function modelColors(models: readonly string[], oracles: ReadonlySet<string>): ModelColors {
  const domain = [...new Set(models)];
  let next = 0;
  return { domain, range: domain.map((m) => (oracles.has(m) ? ORACLE_COLOR : PALETTE[next++ % PALETTE.length])) };
}
