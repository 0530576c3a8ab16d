import { trusted, type Html } from './escape-html.js';

/**
 * The report's whole style, inline: system fonts only (nothing to fetch), a readable measure on a
 * laptop screen, tables that scroll sideways rather than squeeze, and a print layout (no navigation,
 * sections not split mid-row, links shown as text).
 */
export const REPORT_CSS: Html = trusted(`
:root { --ink: #1d2530; --muted: #5b6675; --line: #d8dde4; --bg: #fff; --band: #f4f6f9; --bad: #b3261e; --warn: #8a5a00;
  --ok: #1e6b3a; --bar: #3b6ea8; --up: #2e7d4f; --down: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; padding-top: 8px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.meta, .note, figcaption, .sub, .id { color: var(--muted); }
.note { font-size: 13px; }
nav { margin: 10px 0 0; font-size: 13px; }
nav a { margin-right: 12px; color: var(--bar); text-decoration: none; }
.alerts { border: 1px solid var(--bad); background: #fdf0ef; border-radius: 6px; padding: 8px 14px; margin: 14px 0; }
.alerts h2 { border: 0; margin: 4px 0; padding: 0; color: var(--bad); font-size: 16px; }
.alerts ul { margin: 4px 0; padding-left: 20px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: var(--band); }
.card b { display: block; font-size: 22px; }
.card.bad b { color: var(--bad); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure.chart { margin: 8px 0; }
figure.chart svg { width: 100%; height: auto; display: block; }
svg .lbl { font-size: 11px; fill: var(--ink); }
svg .val { font-size: 10px; fill: var(--muted); }
svg .bar { fill: var(--bar); }
svg .up { fill: var(--up); }
svg .down { fill: var(--down); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--band); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
.sub { display: block; font-size: 0.92em; }
.id { font: 0.85em/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
td.id { min-width: 8em; }
.d { white-space: nowrap; }
.tag { display: inline-block; font-size: 0.85em; padding: 0 5px; border-radius: 3px; background: var(--band); border: 1px solid var(--line); margin: 1px 2px 1px 0; white-space: nowrap; }
.tag.bad { color: #fff; background: var(--bad); border-color: var(--bad); }
.tag.warn { color: var(--warn); border-color: var(--warn); background: #fff8e6; }
.tag.ok { color: var(--ok); border-color: var(--ok); background: #eef8f1; }
.more { font-style: italic; color: var(--muted); }
code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
footer { margin: 30px auto 20px; font-size: 12px; color: var(--muted); }
@media print {
  body { font-size: 10.5px; }
  nav { display: none; }
  header, main, footer { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  .scroll { overflow: visible; }
  .charts { grid-template-columns: 1fr 1fr; }
  table { font-size: 9.5px; }
}
`);
