// JobsPanel: the queue by job kind (waiting, running, retrying, failed,
// done) and the jobs of one column, newest first, with Retry on failed
// ones. A failed step of a video's processing retries the video.

import { useState } from 'react'
import { JOB_COLUMNS, jobTable, kindLabel, type JobColumn } from '../../lib/admin'
import type { JobInfo, JobOverview, JobState } from '../../lib/adminApi'
import { ApiError, type ApiClient } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { errorText } from '../../lib/errors'
import { useLoad } from '../../lib/useLoad'
import { Link } from '../Link'

const STATES: Record<Exclude<JobColumn, 'done'>, JobState[]> = {
  failed: ['discarded', 'cancelled'],
  running: ['running'],
  waiting: ['available', 'scheduled'],
  retrying: ['retryable'],
}
const LISTED = ['failed', 'running', 'waiting', 'retrying'] as const

export function JobsPanel({
  client,
  overview,
  onChanged,
}: {
  client: Pick<ApiClient, 'listJobs' | 'retryJob'>
  overview: JobOverview
  onChanged: () => void
}) {
  const { rows, total } = jobTable(overview)
  const [column, setColumn] = useState<(typeof LISTED)[number]>('failed')
  const [error, setError] = useState('') // of a retry
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState<number>()
  // Jobs whose retry the server refused for good (a file that is not media).
  const [refused, setRefused] = useState<ReadonlySet<number>>(new Set())
  // The list follows the counts: a refresh of the overview reloads it.
  const stamp = JSON.stringify(overview.counts)

  const [jobs, failed] = useLoad<JobInfo[]>(
    async (signal) => {
      const lists = await Promise.all(STATES[column].map((s) => client.listJobs(s, 50, signal)))
      return lists.flat().sort((a, b) => b.id - a.id).slice(0, 50)
    },
    [client, column, stamp],
  )

  const shownError = error || errorText(failed) // a retry's, else the list's

  const retry = async (j: JobInfo) => {
    setBusy(j.id)
    setError('')
    setNote('')
    try {
      const r = await client.retryJob(j.id)
      setNote(r.retried === 'video' ? `The video of job ${j.id} is processing again from its source.` : `Job ${j.id} is queued again.`)
      onChanged()
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) setRefused((r) => new Set(r).add(j.id))
      setError(errorText(e))
    } finally {
      setBusy(undefined)
    }
  }

  return (
    <section className="card dash-card" aria-label="Jobs">
      <h2 className="section-title">Jobs</h2>
      <div className="table-scroll">
        <table className="table" data-testid="jobs-table">
          <thead>
            <tr>
              <th>Kind</th>
              {JOB_COLUMNS.map((c) => (
                <th key={c.key} className="num">
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No jobs yet.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.kind} data-kind={r.kind}>
                <td>{kindLabel(r.kind)}</td>
                {JOB_COLUMNS.map((c) => (
                  <td key={c.key} className={`num${c.key === 'failed' && r.failed ? ' error-text' : ''}`} data-col={c.key}>
                    {r[c.key]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {rows.length > 1 && (
            <tfoot>
              <tr>
                <th>All</th>
                {JOB_COLUMNS.map((c) => (
                  <th key={c.key} className="num">
                    {total[c.key]}
                  </th>
                ))}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      <div className="range-picker" role="group" aria-label="Jobs to list">
        {LISTED.map((c) => (
          <button
            key={c}
            type="button"
            className={`btn btn-small${c === column ? ' btn-primary' : ''}`}
            aria-pressed={c === column}
            onClick={() => setColumn(c)}
          >
            {JOB_COLUMNS.find((x) => x.key === c)?.label} ({total[c]})
          </button>
        ))}
      </div>
      {note && (
        <p className="ok small" role="status">
          {note}
        </p>
      )}
      {shownError && (
        <p className="error-text" role="alert">
          {shownError}
        </p>
      )}
      {jobs && jobs.length === 0 && <p className="muted small">None.</p>}
      {jobs && jobs.length > 0 && (
        <ul className="job-list">
          {jobs.map((j) => (
            <li key={j.id} className="job-row" data-testid="job-row" data-kind={j.kind} data-state={j.state}>
              <div className="job-main">
                <strong>
                  #{j.id} {kindLabel(j.kind)}
                </strong>
                <span className="muted small">
                  {j.state} · attempt {j.attempt}/{j.max_attempts}
                  {j.worker && ` · ${j.worker}`}
                  {j.workers_lost ? ` · ${j.workers_lost} worker(s) died on it` : ''}
                  {' · '}
                  {formatDateTime(j.finalized_at ?? j.attempted_at ?? j.created_at)}
                </span>
                {j.video_id && (
                  <Link className="small job-video" href={`/watch/${encodeURIComponent(j.video_id)}`}>
                    video {j.video_id}
                    {j.run ? `, run ${j.run}` : ''}
                  </Link>
                )}
                {j.last_error && <span className="job-error small">{j.last_error.replace(/^JobCancelError: /, '')}</span>}
              </div>
              {refused.has(j.id) && <span className="muted small">Cannot be retried</span>}
              {(column === 'failed' || column === 'retrying') && !refused.has(j.id) && (
                <button type="button" className="btn btn-small" disabled={busy !== undefined} onClick={() => void retry(j)}>
                  {busy === j.id ? 'Retrying…' : 'Retry'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
