/**
 * Text widths for vega's layout in Node, where no canvas measures text. Vega's fallback guesses
 * 0.8 em per character, about 45% wider than Arial's average, which leaves wide gutters and
 * truncates axis labels early. Here: Arial's advance widths (Liberation Sans has the same), the
 * first font of the page's stack that Linux has.
 */
import * as vega from 'vega';

/** Advance widths in thousandths of an em, by character; others count as 556 (a digit). */
const ARIAL: Record<string, number> = {};
const set = (chars: string, w: number) => {
  for (const c of chars) ARIAL[c] = w;
};
set('ijl\'|', 222);
set(" .,:;!/\\ftI[]·", 278);
set('r()-"`{}', 333);
set('cksvxyzJ*', 500);
set('=+<>~', 584);
set('ABEKPSVXY&', 667);
set('CDHNRUw', 722);
set('GOQ', 778);
set('mM', 833);
set('%', 889);
set('W', 944);
set('FTZ', 611);
set('L', 556);

export function arialWidth(text: string, fontSize: number): number {
  let w = 0;
  for (const c of text) w += ARIAL[c] ?? 556;
  return (w / 1000) * fontSize;
}

interface TextItem {
  fontSize?: number;
  limit?: number;
  fontWeight?: string | number;
}

let installed = false;

/** Makes vega measure text with Arial's widths (once per process; vega reads textMetrics.width). */
export function useArialWidths(): void {
  if (installed) return;
  // vega-scenegraph's textMetrics, re-exported by vega but missing from its typings.
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600 ? 1.08 : 1;
    const w = arialWidth(text == null ? '' : String(text).trim(), size) * bold;
    return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
  installed = true;
}
