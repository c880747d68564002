/** The analysis's tables: flagged model x subgroup pairs, subgroups too small to plot, the method. */
import type { AnalysisMethod } from '../../analysis/types';
import { html, type SafeHtml } from '../escape';
import { formatInterval, formatNumber } from '../format';
import { groupFlags, type FlaggedRow, type TooSmallRow } from '../rows';
import { table } from './table';

/** One line per model and kind of flag with its subgroups, then every flag with its value in a fold. */
export function flaggedTable(rows: readonly FlaggedRow[], multiRun: boolean): SafeHtml {
  if (rows.length === 0) return html`<p class="note">No model was flagged in any subgroup.</p>`;
  const summary = table(
    [...(multiRun ? ['run'] : []), 'model', 'flag', { num: true, content: 'subgroups' }, 'which'],
    groupFlags(rows).map((g) => ({
      cells: [...(multiRun ? [g.run] : []), g.model, { content: g.what, className: 'flag' }, { num: true, content: String(g.subgroups.length) }, g.subgroups.join(', ')],
    })),
    'flag-summary',
  );
  return html`${summary}<details class="flags"><summary>Every flag with its value and interval</summary>${flagList(rows, multiRun)}</details>`;
}

function flagList(rows: readonly FlaggedRow[], multiRun: boolean): SafeHtml {
  return table(
    [...(multiRun ? ['run'] : []), 'model', 'subgroup', 'flag', { num: true, content: 'value' }, { num: true, content: 'interval' }],
    rows.map((r) => ({
      cells: [
        ...(multiRun ? [r.run] : []), r.model, r.subgroup, { content: r.what, className: 'flag' },
        { num: true, content: formatNumber(r.value) }, { num: true, content: formatInterval(r.ci) },
      ],
    })),
    'flagged',
  );
}

export function tooSmallTable(rows: readonly TooSmallRow[], multiRun: boolean): SafeHtml {
  if (rows.length === 0) return html`<p class="note">Every subgroup met the minimum size.</p>`;
  return table(
    [...(multiRun ? ['run'] : []), 'subgroup', { num: true, content: 'persons' }, { num: true, content: 'points' }, { num: true, content: 'minimum persons' }, { num: true, content: 'minimum points' }],
    rows.map((r) => ({
      cells: [
        ...(multiRun ? [r.run] : []), r.subgroup,
        { num: true, content: String(r.n_persons) }, { num: true, content: String(r.n_points) },
        { num: true, content: String(r.min_persons) }, { num: true, content: String(r.min_points) },
      ],
    })),
    'too-small',
  );
}

/** The analysis's own description of how each number was computed. */
export function methodList(method: AnalysisMethod): SafeHtml {
  const items: [string, string][] = [
    ['points', method.points],
    ['weights', method.weights],
    ['total variation', method.distances.tv],
    ['Jensen-Shannon', method.distances.js],
    ['KL', method.distances.kl],
    ['change rate', method.rates.change],
    ['non-employment rate', method.rates.nonemployment],
    ['calibration', `${method.calibration.confidence} (${method.calibration.bins} bins)`],
    ['intervals', `${method.bootstrap.method}, ${method.bootstrap.replicates} replicates, seed ${method.bootstrap.seed}, level ${method.bootstrap.level}`],
    ['rate flags', method.flags.rates],
    ['oracle flags', method.flags.oracle],
    ['minimum size', `${method.min_persons} persons and ${method.min_points} points`],
  ];
  return html`<dl class="facts">${items.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}
