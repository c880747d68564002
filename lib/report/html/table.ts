/** A plain HTML table: header cells and rows of cells, numbers right-aligned. */
import { html, type SafeHtml } from '../escape';

export interface Cell {
  content: SafeHtml | string;
  /** A number: right-aligned, tabular figures. */
  num?: boolean;
  className?: string;
}

export type CellLike = Cell | SafeHtml | string;

function cell(c: CellLike): Cell {
  return typeof c === 'string' || !('content' in c) ? { content: c } : c;
}

export function table(header: CellLike[], rows: { cells: CellLike[]; className?: string }[], className = ''): SafeHtml {
  const th = header.map(cell).map((c) => html`<th class="${c.num ? 'num' : ''}">${c.content}</th>`);
  const tr = rows.map((r) => html`<tr class="${r.className ?? ''}">${r.cells.map(cell).map((c) => html`<td class="${[c.num ? 'num' : '', c.className ?? ''].join(' ').trim()}">${c.content}</td>`)}</tr>`);
  return html`<div class="table-wrap"><table class="${className}"><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table></div>`;
}
