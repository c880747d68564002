/**
 * The paired comparison (lib/compare): each model against the oracle of its evaluation and
 * against the reference model, on the same points: the excess log-loss per point and the
 * perplexity ratio, with paired person-bootstrap intervals. A ratio whose interval lies above 1
 * is worse beyond sampling noise.
 */
import type { CompareTable, Paired } from '../../compare/types';
import { html, type SafeHtml } from '../escape';
import { formatNumber } from '../format';
import { table, type Cell } from './table';

function pairedCells(p: Paired | null): Cell[] {
  if (!p) return [{ num: true, content: '—' }, { num: true, content: '—' }];
  if (!p.comparable) return [{ content: html`<span class="note">not comparable</span>`, className: 'ci' }, { num: true, content: '—' }];
  const interval = (lo: number | null, hi: number | null) => (lo === null || hi === null ? '' : `[${formatNumber(lo)}, ${formatNumber(hi)}]`);
  const worse = p.ratio_ci.lo !== null && p.ratio_ci.lo > 1;
  return [
    { num: true, content: html`${formatNumber(p.excess)}<span class="ci">${interval(p.excess_ci.lo, p.excess_ci.hi)}</span>` },
    { num: true, className: worse ? 'flag' : undefined, content: html`${formatNumber(p.ratio)}<span class="ci">${interval(p.ratio_ci.lo, p.ratio_ci.hi)}</span>` },
  ];
}

export function pairedTable(t: CompareTable, multiRun: boolean): SafeHtml {
  // One run: its models go by step:model, so the reference does too.
  const reference = t.reference && !multiRun ? t.reference.slice(t.reference.indexOf('/') + 1) : t.reference;
  const header = [
    ...(multiRun ? ['run'] : []),
    'model',
    { num: true, content: 'points' },
    { num: true, content: 'vs oracle: excess log-loss' },
    { num: true, content: 'perplexity ratio' },
    { num: true, content: `vs ${reference ?? 'reference'}: excess` },
    { num: true, content: 'perplexity ratio' },
  ];
  const rows = t.rows.map((r) => ({
    className: r.model === 'oracle' ? 'oracle' : undefined,
    cells: [
      ...(multiRun ? [r.run] : []),
      r.scored && r.model === 'model' ? `${r.label} (${r.scored})` : r.label,
      { num: true, content: r.points.toLocaleString('en-US') },
      ...pairedCells(r.vs_oracle),
      ...(t.reference ? pairedCells(r.vs_reference) : [{ num: true, content: '—' }, { num: true, content: '—' }]),
    ],
  }));
  const { paired } = t;
  return html`<h3 id="paired">Paired against the oracle and ${reference ? html`<code>${reference}</code>` : 'no reference'}</h3>
${table(header, rows, 'paired')}
<p class="note">On the same points: excess log-loss = mean over points of log P(reference or oracle) − log P(model), in nats (positive: the model is worse); perplexity ratio = exp(excess). Intervals: ${paired.method}, ${paired.replicates} replicates, ${Math.round(paired.level * 100)}%; a ratio in red lies above 1 beyond sampling noise.</p>`;
}
