/** A Vega-Lite spec to an SVG string, in Node: compile to Vega, run a headless view, serialise. */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { useArialWidths } from './text-width';

/**
 * `idPrefix` names the SVG's element ids (clip paths, gradients): vega numbers them with a
 * process-wide counter, so two charts on a page could clash and the same report would differ
 * from one rendering to the next.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = 'chart'): Promise<string> {
  useArialWidths();
  // renderer 'none': no canvas and no DOM; toSVG builds the markup from the scenegraph.
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return renameIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

function renameIds(svg: string, prefix: string): string {
  const ids = [...new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]))];
  const names = new Map(ids.map((id, i) => [id, `${prefix}-${i + 1}`]));
  return svg.replace(/\b(id="|url\(#|href="#)([^")]+)/g, (all, head: string, id: string) => (names.has(id) ? head + names.get(id) : all));
}
