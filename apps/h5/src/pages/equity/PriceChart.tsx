/**
 * The equity price's line over the last settled days and today (ECharts, only
 * the line chart, its grid and tooltip, on canvas). Prices go to ECharts as the
 * server's decimal strings; the tooltip shows them as sent.
 */
import type { Ok } from "@jifen/api-types";
import { LineChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

type Point = Ok<"listEquityPrices">["items"][number];

export default function PriceChart({ points, todayLabel }: { points: readonly Point[]; todayLabel: string }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!holder.current) return;
    const chart = echarts.init(holder.current, undefined, { renderer: "canvas" });
    const days = points.map((p) => (p.closed ? p.businessDay.slice(5) : todayLabel));
    chart.setOption({
      animationDuration: 300,
      grid: { left: 8, right: 12, top: 16, bottom: 4, containLabel: true },
      tooltip: {
        trigger: "axis",
        formatter: (items: { dataIndex: number }[]) => {
          const p = points[items[0]?.dataIndex ?? 0];
          return p ? `${p.businessDay}<br/>¥${p.price}` : "";
        },
      },
      xAxis: { type: "category", data: days, boundaryGap: false, axisLabel: { color: "#999", fontSize: 10 } },
      yAxis: {
        type: "value",
        scale: true,
        splitNumber: 3,
        axisLabel: { color: "#999", fontSize: 10 },
        splitLine: { lineStyle: { color: "#f2f2f2" } },
      },
      series: [
        {
          type: "line",
          data: points.map((p) => p.price),
          smooth: true,
          symbol: "circle",
          symbolSize: 5,
          lineStyle: { color: "#e4393c", width: 2 },
          itemStyle: { color: "#e4393c" },
          areaStyle: {
            color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
              { offset: 0, color: "rgba(228,57,60,0.25)" },
              { offset: 1, color: "rgba(228,57,60,0.02)" },
            ]),
          },
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [points, todayLabel]);
  return <div ref={holder} style={{ width: "100%", height: 180 }} data-testid="price-chart" />;
}
