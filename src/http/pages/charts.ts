// Server-rendered SVG charts for the dashboards: no script, no third-party library.
import { html, type SafeHtml } from "./html.js";

interface Bar {
  label: string;
  value: number; // display only: amounts are converted for drawing, never for accounting
  caption?: string;
}

/**
 * Horizontal bars (160 units kept for the caption); negative values draw in red. `log` scales the bar
 * lengths by log10(1 + |value|), so an amount a millionth of the largest still shows (the caption
 * carries the exact figure either way).
 */
export function barChart(title: string, bars: Bar[], opts: { scale?: "linear" | "log" } = {}): SafeHtml {
  if (bars.length === 0) return html`<p class="muted">No data yet.</p>`;
  const log = opts.scale === "log";
  const magnitude = (v: number) => (log ? Math.log10(1 + Math.abs(v)) : Math.abs(v));
  const max = Math.max(...bars.map((b) => magnitude(b.value)), log ? Math.log10(2) : 1);
  const rowH = 26;
  const width = 520;
  const labelW = 170;
  const barW = width - labelW - 10;
  return html`<svg role="img" aria-label="${title}${log ? " (logarithmic scale)" : ""}" viewBox="0 0 ${width} ${bars.length * rowH + 4}" width="100%">
${bars.map((b, i) => {
  const w = Math.max(1, Math.round((magnitude(b.value) / max) * (barW - 160)));
  const y = i * rowH + 2;
  return html`<text x="0" y="${y + 17}" font-size="13">${b.label}</text>
<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 8}" rx="3" fill="${b.value < 0 ? "#c62828" : "#2457d6"}"></rect>
<text x="${labelW + w + 6}" y="${y + 17}" font-size="12" fill="#5b6570">${b.caption ?? String(b.value)}</text>`;
})}
</svg>`;
}

interface Series {
  name: string;
  values: number[]; // display only, one per column
  color: string;
}

/**
 * Stacked columns, one per label (a day), with a legend, the top of the scale and the first, middle and
 * last labels under the axis. The figures are in a table beside every chart: the drawing is for looking.
 */
export function columnChart(title: string, labels: string[], series: Series[], formatValue: (v: number) => string = String): SafeHtml {
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(...totals, 0);
  if (max === 0) return html`<p class="muted">Nothing in this range.</p>`;
  const width = 640;
  const plotH = 160;
  const left = 56;
  const top = 8;
  const slot = (width - left - 4) / labels.length;
  const colW = Math.max(1, slot * 0.75);
  const shown = new Set([0, Math.floor((labels.length - 1) / 2), labels.length - 1]);
  return html`<svg role="img" aria-label="${title}" viewBox="0 0 ${width} ${top + plotH + 44}" width="100%">
<text x="${left - 6}" y="${top + 10}" font-size="12" text-anchor="end" fill="#3c4650">${formatValue(max)}</text>
<text x="${left - 6}" y="${top + plotH}" font-size="12" text-anchor="end" fill="#3c4650">0</text>
<line x1="${left}" y1="${top + plotH}" x2="${width - 4}" y2="${top + plotH}" stroke="#8a949e"></line>
${labels.map((label, i) => {
  let y = top + plotH;
  const x = left + i * slot + (slot - colW) / 2;
  return html`${series.map((s) => {
    const h = ((s.values[i] ?? 0) / max) * plotH;
    y -= h;
    return h > 0 ? html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${colW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"></rect>` : "";
  })}${shown.has(i) ? html`<text x="${(x + colW / 2).toFixed(1)}" y="${top + plotH + 16}" font-size="12" text-anchor="middle" fill="#3c4650">${label}</text>` : ""}`;
})}
${series.map(
  (s, k) => html`<rect x="${left + k * 130}" y="${top + plotH + 28}" width="12" height="12" fill="${s.color}"></rect>
<text x="${left + k * 130 + 17}" y="${top + plotH + 38}" font-size="12" fill="#1d2329">${s.name}</text>`,
)}
</svg>`;
}
