/** A chart on the page: its SVG inside a figure the browser test can find by its data-chart name. */
import { html, raw, type SafeHtml } from '../escape';

export function figure(name: string, svg: string, caption: SafeHtml | string): SafeHtml {
  return html`<figure class="chart" data-chart="${name}">${raw(svg)}<figcaption>${caption}</figcaption></figure>`;
}
