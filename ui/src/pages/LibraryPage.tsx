// LibraryPage: the videos the user may see as a grid, searched (title,
// description, tags), filtered by status, tag, owner and date, and sorted.
// For uploaders: "Mine" or "All I can see", and bulk selection to delete
// or change the visibility of many videos at once. While anything is
// still processing, the list refreshes itself so badges move. Every
// filter lives in the URL, so back/forward and reloads keep them.

import { useCallback, useEffect, useState } from 'react'
import { ApiError, asApiError, isTerminal, type User, type Video, type VideoSort, type VideoStatus, type Visibility } from '../lib/api'
import { matchesQuery } from '../lib/filter'
import { navigate, useLocation } from '../lib/router'
import { can, canEdit, useSession } from '../lib/session'
import { useDebounced } from '../lib/useDebounced'
import { Choice } from '../components/Choice'
import { EmptyState, LoadError } from '../components/EmptyState'
import { FilterBar, FILTERS, VIEWER_FILTERS } from '../components/FilterBar'
import { Icon } from '../components/Icon'
import { Link } from '../components/Link'
import { VideoCard } from '../components/VideoCard'
import { VISIBILITIES } from '../components/VisibilityTag'

const REFRESH_MS = 3000

export const SORTS: { value: VideoSort; label: string }[] = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'title', label: 'Title A–Z' },
  { value: 'longest', label: 'Longest first' },
]

/** LibraryFilters is everything the URL keeps. */
export interface LibraryFilters {
  status: VideoStatus | ''
  q: string
  mine: boolean
  tag: string
  owner: string
  from: string
  to: string
  sort: VideoSort | ''
}

export function LibraryPage() {
  const session = useSession()
  const { client } = session
  const uploader = can(session, 'upload')
  const admin = can(session, 'admin')
  const { query: params } = useLocation()
  const statuses = uploader ? FILTERS : VIEWER_FILTERS
  const rawStatus = params.get('status') ?? ''
  const rawSort = params.get('sort') ?? ''
  const f: LibraryFilters = {
    status: (statuses.some((s) => s.value === rawStatus) ? rawStatus : '') as VideoStatus | '',
    q: '',
    mine: uploader && params.get('mine') === '1',
    tag: params.get('tag') ?? '',
    owner: admin ? (params.get('owner') ?? '') : '',
    from: dateOnly(params.get('from')),
    to: dateOnly(params.get('to')),
    sort: (SORTS.some((s) => s.value === rawSort) ? rawSort : '') as VideoSort | '',
  }
  const [query, setQuery] = useState(params.get('q') ?? '')
  const q = useDebounced(query, 250)
  f.q = q
  const [videos, setVideos] = useState<Video[]>()
  const [error, setError] = useState<ApiError>()
  const [notice, setNotice] = useState('')
  const [epoch, setEpoch] = useState(0)
  const [users, setUsers] = useState<User[]>()
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const key = libraryUrl(f)

  useEffect(() => {
    navigate(key, { replace: true })
  }, [key])

  useEffect(() => {
    if (!admin) return
    const ctrl = new AbortController()
    Promise.resolve(client.listUsers(ctrl.signal)).then((u) => setUsers(u ?? []), () => setUsers([]))
    return () => ctrl.abort()
  }, [admin, client])

  useEffect(() => {
    const ctrl = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const opts = { status: f.status, q: f.q, mine: f.mine, ...(f.tag && { tag: f.tag }), ...(f.owner && { owner: f.owner }), ...(f.from && { from: f.from }), ...(f.to && { to: f.to }), ...(f.sort && { sort: f.sort }) }
    const load = async () => {
      try {
        const list = await client.listVideos(opts, ctrl.signal)
        setVideos(list)
        setError(undefined)
        if (list.some((v) => !isTerminal(v.status))) timer = setTimeout(load, REFRESH_MS)
      } catch (err) {
        if (ctrl.signal.aborted) return
        setError(asApiError(err))
      }
    }
    void load()
    return () => {
      ctrl.abort()
      clearTimeout(timer)
    }
  }, [client, key, epoch]) // eslint-disable-line react-hooks/exhaustive-deps

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
  const set = (patch: Partial<LibraryFilters>) => navigate(libraryUrl({ ...f, q: query, ...patch }), { replace: true })
  const filtered = !!(f.status || q || f.tag || f.owner || f.from || f.to)
  const editable = shown?.filter((v) => canEdit(session, v)) ?? []
  const chosen = editable.filter((v) => selected.has(v.id))
  const toggle = (v: Video, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s)
      if (on) n.add(v.id)
      else n.delete(v.id)
      return n
    })

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
          <button type="button" role="tab" aria-selected={!f.mine} className={!f.mine ? 'active' : ''} onClick={() => set({ mine: false })}>
            All I can see
          </button>
          <button type="button" role="tab" aria-selected={f.mine} className={f.mine ? 'active' : ''} onClick={() => set({ mine: true, owner: '' })}>
            Mine
          </button>
        </div>
      )}
      <FilterBar status={f.status} query={query} statuses={statuses} onStatus={(s) => set({ status: s })} onQuery={setQuery} />
      <div className="list-options">
        <label className="inline-field">
          <span>Sort</span>
          <select className="input select select-small" aria-label="Sort" value={f.sort || 'newest'} onChange={(e) => set({ sort: e.target.value === 'newest' ? '' : (e.target.value as VideoSort) })}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        {admin && users && users.length > 0 && !f.mine && (
          <label className="inline-field">
            <span>Owner</span>
            <select className="input select select-small" aria-label="Owner" value={f.owner} onChange={(e) => set({ owner: e.target.value })}>
              <option value="">Anyone</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name || u.email}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="inline-field">
          <span>From</span>
          <input className="input input-small" type="date" aria-label="Added from" value={f.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label className="inline-field">
          <span>To</span>
          <input className="input input-small" type="date" aria-label="Added until" value={f.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
        {f.tag && (
          <span className="person-chip" data-testid="tag-filter">
            #{f.tag}
            <button type="button" className="icon-btn" aria-label={`Remove tag filter ${f.tag}`} onClick={() => set({ tag: '' })}>
              <Icon name="close" size={14} />
            </button>
          </span>
        )}
      </div>
      {uploader && editable.length > 0 && (
        <BulkBar
          all={editable}
          chosen={chosen}
          onSelectAll={(on) => setSelected(new Set(on ? editable.map((v) => v.id) : []))}
          onDone={(msg, removed) => {
            setNotice(msg)
            if (removed.length) setVideos((list) => list?.filter((x) => !removed.includes(x.id)))
            setSelected(new Set())
            setEpoch((n) => n + 1)
          }}
        />
      )}
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
        filtered ? (
          <EmptyState icon="search" title="Nothing matches">
            <p className="muted">No videos match these filters.</p>
            <button
              type="button"
              className="btn"
              onClick={() => {
                setQuery('')
                navigate(libraryUrl({ ...f, q: '', status: '', tag: '', owner: '', from: '', to: '' }), { replace: true })
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
          {shown.map((v) => {
            const mayEdit = canEdit(session, v)
            return (
              <VideoCard
                key={v.id}
                video={v}
                onDelete={mayEdit ? remove : undefined}
                selected={mayEdit && uploader ? selected.has(v.id) : undefined}
                onSelect={mayEdit && uploader ? (on) => toggle(v, on) : undefined}
              />
            )
          })}
        </div>
      )}
    </main>
  )
}

/** BulkBar acts on the selected videos: change their visibility or delete them (two clicks). */
function BulkBar({
  all,
  chosen,
  onSelectAll,
  onDone,
}: {
  all: Video[]
  chosen: Video[]
  onSelectAll: (on: boolean) => void
  onDone: (message: string, removed: string[]) => void
}) {
  const { client } = useSession()
  const [visibility, setVisibility] = useState<Visibility>('private')
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const n = chosen.length

  const run = async (what: string, fn: (v: Video) => Promise<unknown>, removes: boolean) => {
    setBusy(true)
    const failed: string[] = []
    const done: string[] = []
    for (const v of chosen) {
      try {
        await fn(v)
        done.push(v.id)
      } catch {
        failed.push(v.title)
      }
    }
    setBusy(false)
    setConfirming(false)
    onDone(failed.length ? `${what} ${done.length} of ${n}; failed: ${failed.join(', ')}.` : `${what} ${done.length} video${done.length === 1 ? '' : 's'}.`, removes ? done : [])
  }

  return (
    <div className="bulk-bar" role="region" aria-label="Selection">
      <label className="check">
        <input type="checkbox" checked={n > 0 && n === all.length} ref={(el) => { if (el) el.indeterminate = n > 0 && n < all.length }} onChange={(e) => onSelectAll(e.target.checked)} />
        {n ? `${n} selected` : 'Select all'}
      </label>
      {n > 0 && (
        <>
          <Choice id="bulk-visibility" aria-label="New visibility" value={visibility} options={VISIBILITIES.filter((v) => v.value !== 'restricted')} onChange={setVisibility} />
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => run(`Made ${visibility}:`, (v) => client.updateVideo(v.id, { visibility }), false)}>
            Apply visibility
          </button>
          <button
            type="button"
            className={`btn btn-small${confirming ? ' btn-danger' : ''}`}
            disabled={busy}
            onClick={() => (confirming ? run('Deleted', (v) => client.deleteVideo(v.id), true) : setConfirming(true))}
          >
            <Icon name="trash" size={16} /> {confirming ? `Delete ${n}?` : 'Delete'}
          </button>
        </>
      )}
    </div>
  )
}

function dateOnly(s: string | null): string {
  return s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : ''
}

/** libraryUrl keeps the filters in the URL so back/forward and reloads keep them. */
export function libraryUrl(f: LibraryFilters): string {
  const sp = new URLSearchParams()
  if (f.mine) sp.set('mine', '1')
  if (f.status) sp.set('status', f.status)
  if (f.q.trim()) sp.set('q', f.q.trim())
  if (f.tag) sp.set('tag', f.tag)
  if (f.owner) sp.set('owner', f.owner)
  if (f.from) sp.set('from', f.from)
  if (f.to) sp.set('to', f.to)
  if (f.sort) sp.set('sort', f.sort)
  const qs = sp.toString()
  return qs ? `/?${qs}` : '/'
}
