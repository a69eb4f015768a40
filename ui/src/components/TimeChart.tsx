// TimeChart: one uPlot time-series plot (https://github.com/leeoniya/uPlot),
// sized to its container so it fits a phone as well as a desktop.

import { useEffect, useRef } from 'react'
import type uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface ChartSeries {
  label: string
  values: (number | null)[]
  color: string
  /** Bars instead of a line (counts per hour). */
  bars?: boolean
}

export interface TimeChartProps {
  title: string
  /** Unix seconds, one per value. */
  x: number[]
  series: ChartSeries[]
  /** Formats a y value for the axis and the legend. */
  format?: (v: number) => string
  height?: number
}

export function TimeChart({ title, x, series, format = (v) => String(v), height = 180 }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current
    if (!el) return
    // Loaded on first use: uPlot touches window.matchMedia when imported, and
    // only these pages need it.
    let plot: uPlot | undefined
    let ro: ResizeObserver | undefined
    let gone = false
    void import('uplot').then(({ default: UPlot }) => {
      if (gone) return
      const width = () => Math.max(240, el.clientWidth)
      const fmt = (v: number | null) => (v == null ? '–' : format(v))
      const opts: uPlot.Options = {
        width: width(),
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          { stroke: '#9aa4b2', grid: { stroke: '#2a313b' }, ticks: { stroke: '#2a313b' } },
          { stroke: '#9aa4b2', grid: { stroke: '#2a313b' }, ticks: { stroke: '#2a313b' }, size: 64, values: (_u, vals) => vals.map((v) => fmt(v)) },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: s.bars ? s.color + '99' : s.color + '22',
            width: s.bars ? 0 : 2,
            spanGaps: false,
            // Points too, so an hour between gaps still shows.
            points: { show: !s.bars, size: 5, fill: s.color },
            value: (_u: uPlot, v: number | null) => fmt(v),
            paths: s.bars ? UPlot.paths.bars!({ size: [0.8, 24] }) : undefined,
          })),
        ],
      }
      const p = new UPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el)
      plot = p
      ro = new ResizeObserver(() => p.setSize({ width: width(), height }))
      ro.observe(el)
    })
    return () => {
      gone = true
      ro?.disconnect()
      plot?.destroy()
    }
  }, [x, series, format, height])
  return (
    <figure className="chart card" data-testid="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={box} className="chart-plot" />
    </figure>
  )
}
