/**
 * A small hand-written SVG line chart: cumulative profit per policy over simulated minutes.
 * No chart library: the picture is a handful of polylines, axes and a legend.
 */

export interface Series {
  readonly name: string;
  /** One value per minute. */
  readonly values: readonly number[];
}

const COLORS = ['#222222', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
const W = 800;
const H = 420;
const PAD = { left: 70, right: 180, top: 30, bottom: 45 };

export function cumulativeProfitSvg(title: string, series: readonly Series[]): string {
  const minutes = Math.max(1, ...series.map((s) => s.values.length));
  const all = series.flatMap((s) => s.values);
  const lo = Math.min(0, ...all);
  const hi = Math.max(lo + 1e-9, ...all);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (m: number) => PAD.left + (plotW * m) / minutes;
  const y = (v: number) => PAD.top + plotH * (1 - (v - lo) / (hi - lo));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="18" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(3)}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const m = Math.round((minutes * i) / 4);
    parts.push(
      `<text x="${x(m).toFixed(1)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${m}</text>`,
    );
  }
  parts.push(
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#444"/>`,
    `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#444"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${H - 8}" text-anchor="middle">simulated minutes</text>`,
    `<text x="16" y="${PAD.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${PAD.top + plotH / 2})">cumulative net profit (SOL)</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const points = [`${x(0).toFixed(1)},${y(0).toFixed(1)}`]
      .concat(s.values.map((v, m) => `${x(m + 1).toFixed(1)},${y(v).toFixed(1)}`))
      .join(' ');
    const dash = i === 0 ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points}"/>`,
      `<line x1="${W - PAD.right + 15}" x2="${W - PAD.right + 40}" y1="${PAD.top + 10 + i * 20}" y2="${PAD.top + 10 + i * 20}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${W - PAD.right + 46}" y="${PAD.top + 14 + i * 20}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
