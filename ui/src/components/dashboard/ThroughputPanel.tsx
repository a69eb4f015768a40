// ThroughputPanel: encode throughput over time, from the videos that
// became ready: minutes of media per bucket and the speed (media seconds
// per second of processing, queue waits included), as uPlot plots.

import { useMemo, useState } from 'react'
import { throughputSeries } from '../../lib/admin'
import type { Throughput } from '../../lib/adminApi'
import type { ApiClient } from '../../lib/api'
import { errorText } from '../../lib/errors'
import { useLoad } from '../../lib/useLoad'
import { TimeChart } from '../TimeChart'

const RANGES = [
  { label: '24 hours', hours: 24, bucket: 3600 },
  { label: '7 days', hours: 24 * 7, bucket: 6 * 3600 },
  { label: '30 days', hours: 24 * 30, bucket: 86400 },
]
const fmtMin = (v: number) => `${v < 10 ? Math.round(v * 100) / 100 : Math.round(v)} min`
const fmtSpeed = (v: number) => `${Math.round(v * 10) / 10}×`

export function ThroughputPanel({ client, epoch }: { client: Pick<ApiClient, 'adminThroughput'>; epoch: number }) {
  const [range, setRange] = useState(RANGES[0])
  const [data, failed] = useLoad<Throughput>((signal) => client.adminThroughput(range.hours, range.bucket, signal), [client, range, epoch])
  const error = errorText(failed)

  const s = useMemo(() => (data ? throughputSeries(data) : undefined), [data])
  const media = useMemo(() => (s ? [{ label: 'Media processed', values: s.mediaMinutes, color: '#4f8cff', bars: true }] : []), [s])
  const speed = useMemo(() => (s ? [{ label: 'Speed', values: s.speed, color: '#32c48d' }] : []), [s])
  const videos = data?.buckets.reduce((n, b) => n + b.videos, 0) ?? 0
  const minutes = (data?.buckets.reduce((n, b) => n + b.media_seconds, 0) ?? 0) / 60
  const per = range.bucket === 3600 ? 'hour' : range.bucket === 86400 ? 'day' : '6 hours'
  return (
    <section className="dash-wide" aria-label="Encode throughput">
      <div className="page-head">
        <h2 className="section-title">Encode throughput</h2>
        <div className="range-picker" role="group" aria-label="Throughput range">
          {RANGES.map((r) => (
            <button key={r.hours} type="button" className={`btn btn-small${r === range ? ' btn-primary' : ''}`} aria-pressed={r === range} onClick={() => setRange(r)}>
              {r.label}
            </button>
          ))}
        </div>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {!s && !error && <div className="skeleton chart-skeleton" aria-busy="true" />}
      {s && (
        <>
          <p className="muted small" data-testid="throughput-summary">
            {videos} video{videos === 1 ? '' : 's'} ready in the last {range.label}, {fmtMin(minutes)} of media.
          </p>
          <div className="chart-grid">
            <TimeChart title={`Media processed per ${per}`} x={s.x} series={media} format={fmtMin} />
            <TimeChart title="Processing speed (× real time)" x={s.x} series={speed} format={fmtSpeed} />
          </div>
        </>
      )}
    </section>
  )
}
