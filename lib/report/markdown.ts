/** A short Markdown summary for the terminal: the results table, flagged subgroups, too-small count. */
import { formatInterval, formatNumber, formatPerplexity } from './format';
import { analysedRuns, flaggedRows, groupFlags, isMultiRun, resultRows, tooSmallRows } from './rows';
import type { ReportInput } from './types';

/** Markdown table cells cannot hold a pipe or a line break. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function mdTable(header: string[], rows: string[][], numeric: boolean[]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`, ...rows.map(line)].join('\n');
}

export function reportMarkdown(input: ReportInput): string {
  const multiRun = isMultiRun(input);
  const multiStep = input.runs.some((r) => r.evaluations.length > 1);
  const out: string[] = [`# ${cell(input.title)}`, ''];
  const results = resultRows(input);
  if (results.length) {
    const header = [...(multiRun ? ['run'] : []), ...(multiStep ? ['evaluation'] : []), 'model', 'perplexity', 'interval', 'raw ppl', 'top-1', 'top-5', 'ECE', 'change AUC', 'LF AUC'];
    const rows = results.map((r) => {
      const m = r.metrics;
      return [
        ...(multiRun ? [r.run] : []), ...(multiStep ? [r.step] : []), r.oracle && !/oracle/i.test(r.model) ? `${r.model} (oracle)` : r.model,
        formatPerplexity(m.perplexity), formatInterval(m.ci?.perplexity), formatPerplexity(m.raw_perplexity),
        formatNumber(m.top1), formatNumber(m.top5), formatNumber(m.ece), formatNumber(m.change.auc), formatNumber(m.labor_force.auc),
      ];
    });
    const numeric = header.map((h) => !['run', 'evaluation', 'model'].includes(h));
    out.push(mdTable(header, rows, numeric), '');
  } else {
    out.push('No evaluation.', '');
  }
  if (analysedRuns(input).length) {
    const flagged = flaggedRows(input);
    out.push(`## Flagged subgroups (${flagged.length} flags)`, '');
    if (flagged.length === 0) out.push('None.');
    for (const g of groupFlags(flagged)) {
      out.push(`- ${multiRun ? `${g.run}: ` : ''}${g.model}, ${g.what}: ${g.subgroups.join(', ')}`);
    }
    const small = tooSmallRows(input);
    out.push('', `Subgroups too small to analyse: ${small.length}${small.length ? ` (${small.map((s) => (multiRun ? `${s.run}: ${s.subgroup}` : s.subgroup)).join(', ')})` : ''}.`);
  } else {
    out.push('No analyze step: no per-subgroup results.');
  }
  return out.join('\n') + '\n';
}
