/** The page's stylesheet, inlined: readable on a laptop screen and in print, no web fonts. */
import { FONT } from '../charts/theme';

export const STYLE = `
:root { --ink: #1f2328; --muted: #656d76; --line: #d8dee4; --soft: #f6f8fa; --accent: #0b5cad; --flag: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 14px/1.5 ${FONT}; }
main { max-width: 1280px; margin: 0 auto; padding: 28px 24px 64px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 14px; margin-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); font-weight: 600; }
h3 { font-size: 15px; margin: 24px 0 8px; font-weight: 600; }
h4 { font-size: 12px; margin: 14px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; font-weight: 600; }
p { margin: 6px 0 10px; max-width: 80ch; }
.meta { color: var(--muted); margin: 0; }
nav { margin-top: 8px; font-size: 13px; }
nav a { margin-right: 14px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; }
.note { color: var(--muted); font-size: 13px; }
.table-wrap { overflow-x: auto; margin: 8px 0 14px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
thead th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody tr:hover { background: #fafbfc; }
table.results td:not(.num), table.flag-summary td:not(:last-child) { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td .ci { display: block; color: var(--muted); font-size: 11px; }
td.best { font-weight: 700; }
tr.oracle td { color: var(--muted); font-style: italic; }
td.digest { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 11.5px; word-break: break-all; min-width: 30ch; }
.flag { color: var(--flag); font-weight: 600; white-space: nowrap; }
figure.chart { margin: 14px 0 26px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; max-width: 95ch; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 8px 0 14px; font-size: 13px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
.columns { display: flex; flex-wrap: wrap; gap: 8px 36px; align-items: flex-start; }
details { margin: 10px 0; }
summary { cursor: pointer; color: var(--accent); font-size: 13px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; overflow-x: auto; line-height: 1.45; }
.run-block { border-top: 1px dashed var(--line); margin-top: 20px; }
.run-block:first-of-type { border-top: 0; margin-top: 0; }
@media print { main { max-width: none; padding: 0; } details { display: block; } }
`;
