/**
 * A horizontal bar chart (ECharts from echarts/core, only the bar chart, grid
 * and tooltip). Values stay decimal strings: ECharts reads them for the bars'
 * lengths only, and every label and tooltip shows the server's own text.
 */
import { BarChart as Bars } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import { groupDigits } from "../../format/decimal.ts";

echarts.use([Bars, GridComponent, TooltipComponent, CanvasRenderer]);

export interface Bar {
  readonly label: string;
  /** Decimal text from the API ("183040.5"). */
  readonly value: string;
}

export function BarChart({
  bars,
  height = 260,
  testId,
}: {
  bars: readonly Bar[];
  height?: number;
  testId?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current);
    const text = (index: number) => groupDigits(bars[index]?.value ?? "");
    chart.setOption({
      grid: { left: 110, right: 90, top: 10, bottom: 10 },
      tooltip: {
        trigger: "item",
        formatter: (p: { dataIndex: number; name: string }) => `${p.name}: ${text(p.dataIndex)}`,
      },
      xAxis: { type: "value", axisLabel: { show: false }, splitLine: { show: false } },
      yAxis: { type: "category", inverse: true, data: bars.map((b) => b.label) },
      series: [
        {
          type: "bar",
          barMaxWidth: 22,
          itemStyle: { color: "#d4380d", borderRadius: [0, 4, 4, 0] },
          label: {
            show: true,
            position: "right",
            formatter: (p: { dataIndex: number }) => text(p.dataIndex),
          },
          data: bars.map((b) => b.value),
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [bars]);
  return <div ref={element} style={{ height, width: "100%" }} data-testid={testId} />;
}
