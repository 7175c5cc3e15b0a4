/**
 * The offline HTML report: inline SVG line charts drawn here (no script, no
 * network), the summary and the daily table. Coordinates are drawing figures
 * only; every amount shown as text is the exact decimal of the series.
 */
import type { DayRow } from "./metrics.ts";
import { cell, rowColumns } from "./output.ts";
import type { SimulationResult } from "./simulate.ts";
import type { Summary } from "./summary.ts";

interface Chart {
  readonly title: string;
  readonly columns: readonly string[];
}

const CHARTS: readonly Chart[] = [
  { title: "会员数 / Members", columns: ["members"] },
  { title: "每日销售与发放 / Daily sales and payouts", columns: ["sales", "payouts"] },
  {
    title: "负债 / Liabilities",
    columns: ["liabilities", "giftUnreleased", "quotaUnpaid", "exitQuotaOutstanding"],
  },
  {
    title: "每日发放（按规则） / Daily payouts by rule",
    columns: [
      "releaseStatic",
      "releaseShare",
      "releaseTeam",
      "releasePeer",
      "cycleDividends",
      "equityGrantedValue",
    ],
  },
  { title: "增值积分价格 / Equity price", columns: ["equityPrice"] },
  { title: "资金池与恒定积分 / Pool and stable-point float", columns: ["equityPool", "stableFloat"] },
  { title: "比率 / Ratios", columns: ["payoutsToSales", "cashOutToCashIn"] },
  { title: "赠送积分全部释放所需天数 / Days until today's gift is released", columns: ["daysToReleaseGift"] },
];

const COLORS = ["#c0392b", "#2471a3", "#229954", "#b9770e", "#7d3c98", "#566573"];
const W = 720;
const H = 220;
const PAD = { left: 70, right: 10, top: 10, bottom: 24 };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot" }[c]};`);
}

/** A compact axis label (drawing only). */
function label(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e8) return `${(value / 1e8).toFixed(2)}亿`;
  if (abs >= 1e4) return `${(value / 1e4).toFixed(1)}万`;
  return abs >= 100 || value === 0 ? value.toFixed(0) : value.toFixed(2);
}

function polyline(
  values: readonly (number | null)[],
  max: number,
  days: number,
  color: string,
  dash: boolean,
): string {
  const x = (i: number) => PAD.left + (days <= 1 ? 0 : (i / (days - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - (max === 0 ? 0 : v / max)) * (H - PAD.top - PAD.bottom);
  const points = values.flatMap((v, i) => (v === null ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]));
  const style = dash ? ' stroke-dasharray="5 3"' : "";
  return `<polyline fill="none" stroke="${color}" stroke-width="1.5"${style} points="${points.join(" ")}"/>`;
}

function series(rows: readonly DayRow[], column: string): (number | null)[] {
  return rows.map((r) => {
    const text = cell(r, column);
    return text === "" ? null : Number(text);
  });
}

function chartSvg(chart: Chart, a: readonly DayRow[], b: readonly DayRow[] | undefined): string {
  const lines = chart.columns.flatMap((c, i) => [
    { column: c, values: series(a, c), color: COLORS[i % COLORS.length] as string, dash: false },
    ...(b
      ? [
          {
            column: `${c} (compare)`,
            values: series(b, c),
            color: COLORS[i % COLORS.length] as string,
            dash: true,
          },
        ]
      : []),
  ]);
  let max = 0;
  for (const l of lines) for (const v of l.values) if (v !== null && v > max) max = v;
  const days = a.length;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = PAD.top + (1 - f) * (H - PAD.top - PAD.bottom);
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/><text x="${PAD.left - 4}" y="${(y + 4).toFixed(1)}" text-anchor="end">${label(max * f)}</text>`;
  });
  const xLabels = [1, Math.ceil(days / 2), days].map((d) => {
    const x = PAD.left + (days <= 1 ? 0 : ((d - 1) / (days - 1)) * (W - PAD.left - PAD.right));
    return `<text x="${x.toFixed(1)}" y="${H - 6}" text-anchor="middle">${d}</text>`;
  });
  const legend = lines
    .map((l) => `<span style="color:${l.color}">${l.dash ? "┄" : "━"} ${escapeHtml(l.column)}</span>`)
    .join(" ");
  return `<section><h3>${escapeHtml(chart.title)}</h3><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11">${grid.join("")}${xLabels.join("")}${lines.map((l) => polyline(l.values, max, days, l.color, l.dash)).join("")}</svg><div class="legend">${legend}</div></section>`;
}

function summaryHtml(title: string, s: Summary): string {
  return `<h2>${escapeHtml(title)}</h2><ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>`;
}

function tableHtml(result: SimulationResult): string {
  const rows = result.primary.rows;
  const columns = rowColumns(rows, result.compare?.rows ?? []);
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map(
    (r) => `<tr>${columns.map((c) => `<td>${escapeHtml(cell(r, c))}</td>`).join("")}</tr>`,
  );
  return `<details><summary>每日数据 / Daily figures (${rows.length} days)</summary><table><tr>${head}</tr>${body.join("")}</table></details>`;
}

/** The whole report as one self-contained HTML page. */
export function toHtml(result: SimulationResult): string {
  const a = result.primary.rows;
  const b = result.compare?.rows;
  const summaries = [
    summaryHtml(
      b ? "摘要（当前参数） / Summary (parameter set A)" : "摘要 / Summary",
      result.primary.summary,
    ),
    ...(result.compare
      ? [summaryHtml("摘要（对比参数） / Summary (compared set B, dashed)", result.compare.summary)]
      : []),
  ];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>积分模拟报告 / Jifen simulation report</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:900px}svg{background:#fafafa;border:1px solid #eee}
.legend{font-size:12px;margin-bottom:1em}table{border-collapse:collapse;font-size:11px}td,th{border:1px solid #ddd;padding:2px 4px;text-align:right}</style>
</head><body>
<h1>积分模拟报告 / Jifen simulation report</h1>
<p>${a.length} 天，种子 ${result.seed}。金额单位：元；积分按 1 积分 = 1 元计入负债。 / ${a.length} days, seed ${result.seed}. Amounts in yuan; points count as liabilities at 1 point = 1 yuan.</p>
${summaries.join("\n")}
${CHARTS.map((c) => chartSvg(c, a, b)).join("\n")}
${tableHtml(result)}
</body></html>
`;
}
