// AnalyticsPage: playback analytics from the players' beacon, for one video
// (/analytics/{id}, its editors and admins) or every video (/analytics,
// admins): views, watch time, startup time, rebuffering, errors and the
// renditions played, as plots over a chosen range (Mux Data is the model).

import { useEffect, useMemo, useState } from 'react'
import { EmptyState } from '../components/EmptyState'
import { Link } from '../components/Link'
import { TimeChart } from '../components/TimeChart'
import { hourly, RANGES, renditionLabel, watchTime } from '../lib/analytics'
import type { Analytics } from '../lib/api'
import { useSession } from '../lib/session'
import { errorText } from '../lib/errors'

const fmtInt = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(Math.round(v * 10) / 10))
const fmtMin = (v: number) => (v > 0 && v < 1 ? `${Math.round(v * 60)} s` : `${Math.round(v * 10) / 10} min`)
const fmtMs = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`)
const fmtPct = (v: number) => `${Math.round(v * 100) / 100} %`

export function AnalyticsPage({ id }: { id?: string }) {
  const { client } = useSession()
  const [hours, setHours] = useState<number>(24 * 7)
  const [data, setData] = useState<Analytics | null>(null)
  const [title, setTitle] = useState('')
  const [error, setError] = useState('')

  useEffect(() => {
    document.title = 'Analytics · kinema'
    const ctrl = new AbortController()
    const to = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000)
    const range = { from: new Date(to.getTime() - hours * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'), to: to.toISOString().replace(/\.\d+Z$/, 'Z') }
    setError('')
    const req = id ? client.getVideoAnalytics(id, range, ctrl.signal) : client.getAnalytics(range, ctrl.signal)
    req.then(setData, (e: unknown) => {
      if (!ctrl.signal.aborted) setError(errorText(e))
    })
    if (id) client.getVideo(id, ctrl.signal).then((v) => setTitle(v.title), () => undefined)
    return () => ctrl.abort()
  }, [client, id, hours])

  const s = useMemo(() => (data ? hourly(data) : null), [data])
  const series = useMemo(
    () =>
      s && {
        views: [{ label: 'Views', values: s.views, color: '#4f8cff', bars: true }],
        watch: [{ label: 'Watch time', values: s.watchMinutes, color: '#32c48d' }],
        startup: [{ label: 'Startup time', values: s.startupMs, color: '#f5a524' }],
        rebuffer: [{ label: 'Rebuffering', values: s.rebufferPct, color: '#e5484d' }],
        errors: [{ label: 'Errors', values: s.errors, color: '#c084fc', bars: true }],
      },
    [s],
  )

  const t = data?.total
  const renditionTotal = data?.renditions.reduce((n, r) => n + r.watch_ms, 0) ?? 0
  return (
    <main className="page page-analytics">
      <div className="page-head">
        <h1 className="page-title">{id ? `Analytics: ${title || id}` : 'Analytics: all videos'}</h1>
        {id && (
          <Link href={`/watch/${encodeURIComponent(id)}`} className="btn btn-small">
            Watch
          </Link>
        )}
      </div>
      <div className="range-picker" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button key={r.hours} type="button" className={`btn btn-small${r.hours === hours ? ' btn-primary' : ''}`} aria-pressed={r.hours === hours} onClick={() => setHours(r.hours)}>
            {r.label}
          </button>
        ))}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <div className="skeleton chart-skeleton" aria-busy="true" />}
      {data && t && s && series && (
        <>
          <div className="stat-tiles">
            <Stat label="Views" value={String(t.views)} testId="stat-views" />
            <Stat label="Watch time" value={watchTime(t.watch_ms)} testId="stat-watch" />
            <Stat label="Startup time" value={t.startups ? fmtMs(t.startup_avg_ms) : '–'} testId="stat-startup" />
            <Stat label="Rebuffering" value={t.watch_ms + t.rebuffer_ms ? fmtPct(t.rebuffer_ratio * 100) : '–'} testId="stat-rebuffer" />
            <Stat label="Errors" value={String(t.errors)} testId="stat-errors" />
          </div>
          {t.views === 0 && t.watch_ms === 0 ? (
            <EmptyState title="No playback in this range">
              <p className="muted">Views appear here a few seconds after someone starts playing.</p>
            </EmptyState>
          ) : (
            <div className="chart-grid">
              <TimeChart title="Views per hour" x={s.x} series={series.views} format={fmtInt} />
              <TimeChart title="Watch time per hour" x={s.x} series={series.watch} format={fmtMin} />
              <TimeChart title="Average startup time" x={s.x} series={series.startup} format={fmtMs} />
              <TimeChart title="Rebuffering ratio" x={s.x} series={series.rebuffer} format={fmtPct} />
              <TimeChart title="Playback errors" x={s.x} series={series.errors} format={fmtInt} />
              <section className="card rendition-chart" aria-label="Renditions played">
                <h2 className="chart-title">Renditions played</h2>
                {data.renditions.length === 0 && <p className="muted">No watch time yet.</p>}
                <ul className="bar-list">
                  {data.renditions.map((r) => {
                    const pct = renditionTotal ? (100 * r.watch_ms) / renditionTotal : 0
                    return (
                      <li key={r.height} data-testid="rendition-row">
                        <span className="bar-label">{renditionLabel(r.height)}</span>
                        <span className="bar-track">
                          <span className="bar-fill" style={{ width: `${pct}%` }} />
                        </span>
                        <span className="bar-value">
                          {Math.round(pct)}% · {watchTime(r.watch_ms)}
                        </span>
                      </li>
                    )
                  })}
                </ul>
              </section>
            </div>
          )}
          {data.top_videos && data.top_videos.length > 0 && (
            <section className="card top-videos">
              <h2 className="chart-title">Most viewed</h2>
              <table className="table">
                <thead>
                  <tr>
                    <th>Video</th>
                    <th>Views</th>
                    <th>Watch time</th>
                  </tr>
                </thead>
                <tbody>
                  {data.top_videos.map((v) => (
                    <tr key={v.video_id}>
                      <td>
                        <Link href={`/analytics/${encodeURIComponent(v.video_id)}`}>{v.title || v.video_id}</Link>
                      </td>
                      <td>{v.views}</td>
                      <td>{watchTime(v.watch_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
    </main>
  )
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="stat card">
      <div className="stat-label muted">{label}</div>
      <div className="stat-value" data-testid={testId}>
        {value}
      </div>
    </div>
  )
}
