// Server-rendered SVG charts for the dashboards: no script, no third-party library.
import { html, type SafeHtml } from "./html.js";

interface Bar {
  label: string;
  value: number; // display only: amounts are converted for drawing, never for accounting
  caption?: string;
}

/** Horizontal bars scaled to the largest absolute value; negative values draw in red. */
export function barChart(title: string, bars: Bar[]): SafeHtml {
  if (bars.length === 0) return html`<p class="muted">No data yet.</p>`;
  const max = Math.max(...bars.map((b) => Math.abs(b.value)), 1);
  const rowH = 26;
  const width = 520;
  const labelW = 170;
  const barW = width - labelW - 10;
  return html`<svg role="img" aria-label="${title}" viewBox="0 0 ${width} ${bars.length * rowH + 4}" width="100%">
${bars.map((b, i) => {
  const w = Math.max(1, Math.round((Math.abs(b.value) / max) * (barW - 110)));
  const y = i * rowH + 2;
  return html`<text x="0" y="${y + 17}" font-size="13">${b.label}</text>
<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 8}" rx="3" fill="${b.value < 0 ? "#c62828" : "#2457d6"}"></rect>
<text x="${labelW + w + 6}" y="${y + 17}" font-size="12" fill="#5b6570">${b.caption ?? String(b.value)}</text>`;
})}
</svg>`;
}
