// LibraryPage: the videos the user may see as a grid, filterable by status
// and title, and for uploaders by "Mine" or "All I can see". While anything
// is still processing, the list refreshes itself so badges move.

import { useCallback, useEffect, useState } from 'react'
import { ApiError, isTerminal, type Video, type VideoStatus } from '../lib/api'
import { matchesQuery } from '../lib/filter'
import { navigate, useLocation } from '../lib/router'
import { can, canEdit, useSession } from '../lib/session'
import { useDebounced } from '../lib/useDebounced'
import { EmptyState, LoadError } from '../components/EmptyState'
import { FilterBar, FILTERS } from '../components/FilterBar'
import { Link } from '../components/Link'
import { VideoCard } from '../components/VideoCard'

const REFRESH_MS = 3000

export function LibraryPage() {
  const session = useSession()
  const { client } = session
  const uploader = can(session, 'upload')
  const { query: params } = useLocation()
  const rawStatus = params.get('status') ?? ''
  const status = (FILTERS.some((f) => f.value === rawStatus) ? rawStatus : '') as VideoStatus | ''
  const mine = uploader && params.get('mine') === '1'
  const [query, setQuery] = useState(params.get('q') ?? '')
  const q = useDebounced(query, 250)
  const [videos, setVideos] = useState<Video[]>()
  const [error, setError] = useState<ApiError>()
  const [notice, setNotice] = useState('')
  const [epoch, setEpoch] = useState(0)

  useEffect(() => {
    navigate(libraryUrl(status, q, mine), { replace: true })
  }, [status, q, mine])

  useEffect(() => {
    const ctrl = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const load = async () => {
      try {
        const list = await client.listVideos({ status, q, mine }, ctrl.signal)
        setVideos(list)
        setError(undefined)
        if (list.some((v) => !isTerminal(v.status))) timer = setTimeout(load, REFRESH_MS)
      } catch (err) {
        if (ctrl.signal.aborted) return
        setError(err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err)))
      }
    }
    void load()
    return () => {
      ctrl.abort()
      clearTimeout(timer)
    }
  }, [client, status, q, mine, epoch])

  const remove = useCallback(
    async (v: Video) => {
      try {
        await client.deleteVideo(v.id)
        setVideos((list) => list?.filter((x) => x.id !== v.id))
        setNotice(`Deleted “${v.title}”.`)
      } catch (err) {
        setNotice(err instanceof Error ? `Could not delete: ${err.message}` : 'Could not delete.')
      }
    },
    [client],
  )

  const shown = videos?.filter((v) => matchesQuery(v, q))
  const setStatus = (s: VideoStatus | '') => navigate(libraryUrl(s, query, mine), { replace: true })
  const setMine = (m: boolean) => navigate(libraryUrl(status, query, m), { replace: true })

  return (
    <main className="page">
      <div className="page-head">
        <h1 className="page-title">Library</h1>
        {uploader && (
          <Link href="/upload" className="btn btn-primary">
            Upload
          </Link>
        )}
      </div>
      {uploader && (
        <div className="segmented" role="tablist" aria-label="Whose videos">
          <button type="button" role="tab" aria-selected={!mine} className={!mine ? 'active' : ''} onClick={() => setMine(false)}>
            All I can see
          </button>
          <button type="button" role="tab" aria-selected={mine} className={mine ? 'active' : ''} onClick={() => setMine(true)}>
            Mine
          </button>
        </div>
      )}
      <FilterBar status={status} query={query} onStatus={setStatus} onQuery={setQuery} />
      {notice && (
        <p className="notice" role="status" onClick={() => setNotice('')}>
          {notice}
        </p>
      )}
      {error && !videos ? (
        <LoadError what="the library" error={error} onRetry={() => setEpoch((n) => n + 1)} />
      ) : !shown ? (
        <div className="grid" aria-busy="true">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="video-card skeleton" />
          ))}
        </div>
      ) : shown.length === 0 ? (
        status || q ? (
          <EmptyState icon="search" title="Nothing matches">
            <p className="muted">No videos match these filters.</p>
            <button
              type="button"
              className="btn"
              onClick={() => {
                setQuery('')
                setStatus('')
              }}
            >
              Clear filters
            </button>
          </EmptyState>
        ) : uploader ? (
          <EmptyState icon="film" title="No videos yet">
            <p className="muted">Upload a video or audio file and it will appear here once processed.</p>
            <Link href="/upload" className="btn btn-primary">
              Upload your first video
            </Link>
          </EmptyState>
        ) : (
          <EmptyState icon="film" title="Nothing to watch yet">
            <p className="muted">Videos appear here when they are made public or shared with you.</p>
          </EmptyState>
        )
      ) : (
        <div className="grid">
          {shown.map((v) => (
            <VideoCard key={v.id} video={v} onDelete={canEdit(session, v) ? remove : undefined} />
          ))}
        </div>
      )}
    </main>
  )
}

/** libraryUrl keeps the filters in the URL so back/forward and reloads keep them. */
function libraryUrl(status: VideoStatus | '', q: string, mine: boolean): string {
  const sp = new URLSearchParams()
  if (mine) sp.set('mine', '1')
  if (status) sp.set('status', status)
  if (q.trim()) sp.set('q', q.trim())
  const qs = sp.toString()
  return qs ? `/?${qs}` : '/'
}
