/**
 * The dashboard's chart options, built from the daily series. ECharts reads
 * the decimal text itself to place a point; every number a person reads (axis
 * labels aside) is the server's text, shown by the tooltip as it came.
 */
import type { Ok } from "@jifen/api-types";
import type { EChartsCoreOption } from "echarts/core";
import { groupDigits } from "../../format/decimal.ts";

type Day = Ok<"getDailyReport">["days"][number];

export interface SeriesSpec {
  readonly name: string;
  readonly type: "bar" | "line";
  readonly value: (day: Day) => string | number | null;
  readonly color: string;
  readonly axis?: 0 | 1;
  readonly area?: boolean;
  /** A count (orders, members): its axis shows whole numbers only. */
  readonly count?: boolean;
}

const label = (day: string) => day.slice(5);

/** A bar/line chart over the days, one or two value axes, with an exact tooltip. */
export function dailyChart(days: readonly Day[], series: readonly SeriesSpec[]): EChartsCoreOption {
  const twoAxes = series.some((s) => s.axis === 1);
  const whole = (axis: 0 | 1) =>
    series.some((s) => (s.axis ?? 0) === axis && s.count) ? { minInterval: 1 } : {};
  return {
    color: series.map((s) => s.color),
    grid: { left: 56, right: twoAxes ? 64 : 24, top: 40, bottom: 28 },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8 },
    tooltip: {
      trigger: "axis",
      formatter: (params: { dataIndex: number; marker: string; seriesIndex: number }[]) => {
        const index = params[0]?.dataIndex ?? 0;
        const day = days[index];
        if (!day) return "";
        const lines = params.map((p) => {
          const spec = series[p.seriesIndex];
          const value = spec?.value(day);
          return `${p.marker}${spec?.name ?? ""}：<b>${value === null || value === undefined ? "—" : groupDigits(String(value))}</b>`;
        });
        return [day.day, ...lines].join("<br/>");
      },
    },
    xAxis: { type: "category", data: days.map((d) => label(d.day)), axisTick: { alignWithLabel: true } },
    yAxis: [
      { type: "value", splitLine: { lineStyle: { type: "dashed", color: "#eee" } }, ...whole(0) },
      ...(twoAxes ? [{ type: "value", splitLine: { show: false }, scale: true, ...whole(1) }] : []),
    ],
    series: series.map((s) => ({
      name: s.name,
      type: s.type,
      yAxisIndex: s.axis ?? 0,
      data: days.map((d) => s.value(d)),
      barMaxWidth: 18,
      smooth: s.type === "line",
      connectNulls: true,
      showSymbol: s.type === "line" && days.length <= 31,
      ...(s.area ? { areaStyle: { opacity: 0.12 } } : {}),
    })),
  };
}
