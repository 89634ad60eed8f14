import type { ChartPanel, Goal } from './scenario.js';

/**
 * The report's chart as a standalone SVG, drawn from the figures alone: a
 * strip of goals (met or missed) over one horizontal bar panel per measure,
 * longrun in the accent colour, the peers in grey.
 */
const WIDTH = 900;
const LABEL_W = 200;
const VALUE_W = 110;
const BAR_H = 16;
const BAR_GAP = 3;
const GROUP_GAP = 10;
const PAD = 24;
const FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'";
const OURS = ['#0f766e', '#14b8a6', '#5eead4', '#99f6e4'];
const THEIRS = ['#1e293b', '#475569', '#94a3b8', '#cbd5e1'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A round axis maximum at or above `max`. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : formatValue(v);
}

function panel(p: ChartPanel, y0: number): { svg: string; height: number } {
  const out: string[] = [];
  const plotX = PAD + LABEL_W;
  const plotW = WIDTH - plotX - VALUE_W - PAD;
  const values = p.groups.flatMap((g) => g.values).filter(Number.isFinite);
  const max = niceMax(Math.max(...values, p.mark?.value ?? 0));
  const scale = (v: number) => (Math.max(0, v) / max) * plotW;
  let y = y0;
  out.push(
    `<text x="${PAD}" y="${y + 14}" font-size="15" font-weight="600" fill="#0f172a">${esc(p.title)}</text>`,
  );
  const caption = `${p.unit}${p.lowerIsBetter ? ', lower is better' : ', higher is better'}`;
  out.push(`<text x="${PAD}" y="${y + 32}" font-size="12" fill="#64748b">${esc(caption)}</text>`);
  if (p.series.length > 1) {
    let lx = WIDTH - PAD - 90 * p.series.length;
    for (const [i, s] of p.series.entries()) {
      out.push(`<rect x="${lx}" y="${y + 22}" width="12" height="12" rx="2" fill="${OURS[i] ?? OURS[0]}"/>`);
      out.push(`<rect x="${lx + 6}" y="${y + 22}" width="6" height="12" fill="${THEIRS[i] ?? THEIRS[0]}"/>`);
      out.push(`<text x="${lx + 17}" y="${y + 32}" font-size="12" fill="#334155">${esc(s)}</text>`);
      lx += 90;
    }
  }
  y += 44;
  const top = y;
  for (const g of p.groups) {
    const groupH = g.values.length * BAR_H + (g.values.length - 1) * BAR_GAP;
    out.push(
      `<text x="${plotX - 10}" y="${y + groupH / 2 + 4}" font-size="13" text-anchor="end" ` +
        `fill="#0f172a"${g.ours ? ' font-weight="600"' : ''}>${esc(g.label)}</text>`,
    );
    for (const [i, v] of g.values.entries()) {
      const colour = (g.ours ? OURS : THEIRS)[i] ?? (g.ours ? OURS[0] : THEIRS[0]);
      const w = Number.isFinite(v) ? Math.max(1, scale(v)) : 0;
      out.push(
        `<rect x="${plotX}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2" fill="${colour}"/>`,
      );
      const name = p.series.length > 1 ? ` ${p.series[i]}` : '';
      out.push(
        `<text x="${(plotX + w + 6).toFixed(1)}" y="${y + BAR_H - 4}" font-size="12" fill="#334155">` +
          `${esc(formatValue(v))}${esc(name)}</text>`,
      );
      y += BAR_H + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }
  const bottom = y - GROUP_GAP + 4;
  out.push(`<line x1="${plotX}" y1="${top - 4}" x2="${plotX}" y2="${bottom}" stroke="#cbd5e1"/>`);
  for (let i = 1; i <= 4; i++) {
    const x = plotX + (plotW * i) / 4;
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom}" stroke="#f1f5f9"/>`);
    out.push(
      `<text x="${x}" y="${bottom + 14}" font-size="11" text-anchor="middle" fill="#94a3b8">` +
        `${esc(formatTick((max * i) / 4))}</text>`,
    );
  }
  if (p.mark) {
    const x = plotX + scale(p.mark.value);
    out.push(
      `<line x1="${x}" y1="${top - 8}" x2="${x}" y2="${bottom}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
    out.push(`<text x="${x + 4}" y="${top - 10}" font-size="11" fill="#dc2626">${esc(p.mark.label)}</text>`);
  }
  // Grid lines first, bars over them.
  const grid = out.filter((l) => l.startsWith('<line') && l.includes('#f1f5f9'));
  const rest = out.filter((l) => !grid.includes(l));
  return { svg: [...grid, ...rest].join('\n'), height: bottom + 22 - y0 };
}

export function renderChart({
  title,
  subtitle,
  goals,
  panels,
}: {
  title: string;
  subtitle: string;
  goals: Goal[];
  panels: ChartPanel[];
}): string {
  const body: string[] = [];
  let y = PAD;
  body.push(
    `<text x="${PAD}" y="${y + 18}" font-size="22" font-weight="700" fill="#0f172a">${esc(title)}</text>`,
  );
  body.push(`<text x="${PAD}" y="${y + 40}" font-size="12" fill="#64748b">${esc(subtitle)}</text>`);
  y += 60;
  if (goals.length > 0) {
    const met = goals.filter((g) => g.met).length;
    body.push(
      `<text x="${PAD}" y="${y + 14}" font-size="15" font-weight="600" fill="#0f172a">` +
        `Goals: ${met} of ${goals.length} met</text>`,
    );
    y += 26;
    for (const g of goals) {
      const colour = g.met ? '#16a34a' : '#dc2626';
      body.push(`<circle cx="${PAD + 8}" cy="${y + 8}" r="7" fill="${colour}"/>`);
      body.push(
        `<text x="${PAD + 8}" y="${y + 12}" font-size="11" font-weight="700" fill="#fff" text-anchor="middle">` +
          `${g.met ? '✓' : '✗'}</text>`,
      );
      body.push(`<text x="${PAD + 24}" y="${y + 12}" font-size="13" fill="#0f172a">${esc(g.goal)}</text>`);
      body.push(
        `<text x="${PAD + 24}" y="${y + 28}" font-size="12" fill="${colour}">${esc(clip(g.figure, 125))}</text>`,
      );
      y += 38;
    }
    y += 14;
  }
  for (const p of panels) {
    body.push(`<line x1="${PAD}" y1="${y}" x2="${WIDTH - PAD}" y2="${y}" stroke="#e2e8f0"/>`);
    const drawn = panel(p, y + 14);
    body.push(drawn.svg);
    y += drawn.height + 20;
  }
  const height = Math.ceil(y + PAD / 2);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<title>${esc(`${title}: ${goals.filter((g) => g.met).length} of ${goals.length} goals met. ${subtitle}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
