import { html, type Html } from './escape-html.js';

export const fmt = (n: number): string => n.toLocaleString('en-US');

export interface Bar {
  label: string;
  value: number;
}

/** Room for the labels on the left of horizontal bars, in SVG units (about 26 characters). */
const LABEL_WIDTH = 170;
const WIDTH = 560;
const ROW = 22;

/**
 * Horizontal bars, one per item, with the value at the end of each bar: inline SVG (no script, no
 * font, no external reference), scaled by its viewBox so it fits a laptop screen and a printed page.
 */
export function horizontalBars(title: string, items: readonly Bar[]): Html {
  const max = Math.max(1, ...items.map((i) => i.value));
  const room = WIDTH - LABEL_WIDTH - 70;
  const height = items.length * ROW + 8;
  const bars = items.map((item, k) => {
    const y = 4 + k * ROW;
    const w = item.value === 0 ? 0 : Math.max(2, Math.round((item.value / max) * room));
    return html`<g><title>${item.label}: ${fmt(item.value)}</title><text x="${LABEL_WIDTH - 8}" y="${y + 15}" text-anchor="end" class="lbl">${item.label}</text><rect x="${LABEL_WIDTH}" y="${y + 3}" width="${w}" height="${ROW - 8}" class="bar"/><text x="${LABEL_WIDTH + w + 6}" y="${y + 15}" class="val">${fmt(item.value)}</text></g>`;
  });
  return html`<figure class="chart"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${title}"><title>${title}</title>${bars}</svg><figcaption>${title}</figcaption></figure>`;
}

export interface Column {
  label: string;
  /** Drawn up from the axis. */
  up: number;
  /** Drawn down from the axis. */
  down: number;
}

/**
 * Columns around a middle axis: `up` above it (granted), `down` below it (removed), one pair per
 * label (a run), so that growth and shrinkage read at a glance.
 */
export function columnsAroundAxis(title: string, columns: readonly Column[], legend: { up: string; down: string }): Html {
  const width = WIDTH;
  const half = 70;
  // Room above for the legend (and the tallest column's value), below for the run labels.
  const height = half * 2 + 50;
  const axis = 26 + half;
  const max = Math.max(1, ...columns.map((c) => Math.max(c.up, c.down)));
  const step = columns.length === 0 ? 0 : (width - 40) / columns.length;
  const barWidth = Math.max(2, Math.min(28, step * 0.6));
  const scale = (v: number) => (v === 0 ? 0 : Math.max(1, Math.round((v / max) * half)));
  const showValues = columns.length <= 15;
  const bars = columns.map((c, k) => {
    const x = 30 + k * step + (step - barWidth) / 2;
    const up = scale(c.up);
    const down = scale(c.down);
    const label = columns.length <= 30 && (columns.length <= 12 || k % 3 === 0) ? html`<text x="${x + barWidth / 2}" y="${height - 4}" text-anchor="middle" class="lbl">${c.label}</text>` : '';
    return html`<g><title>${c.label}: ${fmt(c.up)} ${legend.up}, ${fmt(c.down)} ${legend.down}</title><rect x="${x}" y="${axis - up}" width="${barWidth}" height="${up}" class="up"/><rect x="${x}" y="${axis}" width="${barWidth}" height="${down}" class="down"/>${showValues && c.up > 0 ? html`<text x="${x + barWidth / 2}" y="${axis - up - 3}" text-anchor="middle" class="val">${fmt(c.up)}</text>` : ''}${showValues && c.down > 0 ? html`<text x="${x + barWidth / 2}" y="${axis + down + 11}" text-anchor="middle" class="val">${fmt(c.down)}</text>` : ''}${label}</g>`;
  });
  return html`<figure class="chart"><svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}"><title>${title}</title><line x1="24" y1="${axis}" x2="${width - 8}" y2="${axis}" class="axis"/><rect x="${width - 190}" y="2" width="10" height="10" class="up"/><text x="${width - 176}" y="11" class="lbl">${legend.up}</text><rect x="${width - 100}" y="2" width="10" height="10" class="down"/><text x="${width - 86}" y="11" class="lbl">${legend.down}</text>${bars}</svg><figcaption>${title}</figcaption></figure>`;
}
