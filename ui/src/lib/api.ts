// Typed client for kinema's REST API (/api/v1). The browser is signed in by
// an HttpOnly session cookie the client never sees; what it does hold is the
// session's CSRF token, sent as X-CSRF-Token on every write (the server
// refuses cookie-authenticated writes without it). Failures become ApiError
// so the UI can show the server's message and react to 401 by signing out.

import type { JobInfo, JobOverview, JobRetry, JobState, QuotaPatch, StorageReport, Throughput, UserDetail, WebhookDelivery, WebhookEndpoint, WebhookEventType } from './adminApi'

export type VideoStatus = 'waiting_upload' | 'queued' | 'processing' | 'ready' | 'failed'

export interface Rendition {
  id: string
  type: 'video' | 'audio' | string
  width?: number
  height?: number
  bitrate?: number
}

/** Downloads is a video's download offer (PUT /videos/{id}/downloads). */
export interface Downloads {
  enabled: boolean
  status?: 'pending' | 'ready' | 'failed'
  /** Signed MP4 of the top rendition, served as an attachment, once made. */
  mp4?: string
  /** Signed M4A of the default audio, once made. */
  m4a?: string
  /** The uploaded file: owner and admins only. */
  original?: string
}

export interface Playback {
  hls: string
  dash?: string
  poster?: string
  storyboard?: string
  expires_at?: string
}

export interface UploadTarget {
  url?: string
  method?: string
  /** When the upload URLs stop accepting new uploads (TTL after the video was created). */
  expires_at?: string
  /** When the server deletes the video if no upload has completed. */
  delete_at?: string
  tus_url: string
}

export type Visibility = 'private' | 'unlisted' | 'public' | 'restricted'

export interface Video {
  id: string
  title: string
  /** The user (or user-less API key) that created the video. */
  owner_id?: string
  visibility?: Visibility
  /** User ids and group names that may watch a restricted video. */
  allowed_users?: string[] | null
  allowed_groups?: string[] | null
  status: VideoStatus
  kind?: 'video' | 'audio' | ''
  progress?: number
  eta_seconds?: number | null
  error?: string
  duration?: number
  width?: number
  height?: number
  created_at?: string
  /** Set once a processing video can be played (progressive playback). */
  playable_at?: string
  renditions?: Rendition[]
  playback?: Playback
  upload?: UploadTarget
  description?: string
  tags?: string[] | null
  /** Host names whose pages may embed the video; empty: any site. */
  embed_domains?: string[] | null
  downloads?: Downloads
  /** Failed videos only: false when the file itself is at fault (retrying would fail the same way). */
  retryable?: boolean
}

/** AddedAudio is an audio track added to a video after its upload (another language). */
export interface AddedAudio {
  id: string
  language: string
  name: string
  status: 'processing' | 'ready' | 'failed'
  error?: string
  rendition?: string
  duration: number
}

export type LiveStatus = 'idle' | 'live' | 'ended'

/** LiveHealth is what the ingest node measures of a live broadcast. */
export interface LiveHealth {
  /** Bits per second received. */
  input_bitrate: number
  fps: number
  dropped_frames: number
  /** Seconds the transcoder is behind the input. */
  lag: number
  viewers: number
  updated_at?: string
}

/** LiveRestream is one RTMP destination a live stream is forwarded to. */
export interface LiveRestream {
  id: string
  stream_id: string
  name: string
  /** The destination with its stream key masked (****); the full URL is never shown again. */
  url: string
  status: 'idle' | 'connecting' | 'live' | 'error'
  error?: string
  created_at?: string
  updated_at?: string
}

/** LiveStream is one live stream as GET /api/v1/live/{id} shows it. */
export interface LiveStream {
  id: string
  title: string
  status: LiveStatus
  stream_key: string
  created_at?: string
  started_at?: string
  ended_at?: string
  /** A publisher is attached; live but not connected means the reconnect grace period. */
  connected: boolean
  renditions?: Rendition[]
  /** The recording's video, set once the broadcast ended and was handed over. */
  video_id: string
  error?: string
  /** Publish URLs, only while the stream can still be published to. */
  srt_url?: string
  rtmp_url?: string
  /** SRT passphrase publishers must encrypt with; absent when none. */
  srt_passphrase?: string
  /** Input health while live, refreshed every 2 s by the ingest node. */
  health?: LiveHealth
  /** ll_hls: Low-Latency HLS, for players that support it (the same stream as hls). */
  playback?: { hls: string; ll_hls?: string; dash?: string; expires_at?: string }
  /** RTMP destinations the broadcast is forwarded to (URLs masked). */
  restreams?: LiveRestream[]
}

export interface ListOptions {
  status?: VideoStatus | ''
  q?: string
  /** Only the caller's own videos. */
  mine?: boolean
  tag?: string
  /** Only this owner's videos (a user id). */
  owner?: string
  /** Created on or after / up to and including these dates (YYYY-MM-DD). */
  from?: string
  to?: string
  sort?: VideoSort | ''
}

export type VideoSort = 'newest' | 'oldest' | 'title' | 'longest'

/** VideoPatch is what PATCH /api/v1/videos/{id} changes; absent fields stay. */
export interface VideoPatch {
  title?: string
  visibility?: Visibility
  allowed_users?: string[]
  allowed_groups?: string[]
  description?: string
  tags?: string[]
  embed_domains?: string[]
}

export type Role = 'admin' | 'uploader' | 'viewer'
export type Scope = 'read' | 'upload' | 'admin'
export type SignupMode = 'open' | 'invite' | 'closed'

export interface User {
  id: string
  email: string
  name: string
  role: Role
  groups: string[] | null
  disabled: boolean
  created_at: string
  last_login_at?: string
}

/** UserSuggestion is what a sharer learns of a user (GET /users/suggest). */
export interface UserSuggestion {
  id: string
  email: string
  name: string
}

/** SessionView is what sign-in, sign-up and GET /auth/session answer. */
export interface SessionView {
  user: User
  scopes: Scope[]
  csrf_token: string
}

export interface SetupInfo {
  /** No account exists yet: the first sign-up becomes the admin. */
  needs_setup: boolean
  signup: SignupMode
  /** The browser holds a live session: GET /auth/session will answer (absent from older servers). */
  session?: boolean
}

export interface SignupRequest {
  email: string
  name: string
  password: string
  invite?: string
}

export interface NewUser {
  email: string
  name: string
  password: string
  role: Role
  groups: string[]
}

export interface UserPatch {
  name?: string
  password?: string
  role?: Role
  groups?: string[]
  disabled?: boolean
}

export interface Invite {
  code: string
  role: Role
  expires_at: string
  /** The sign-up link to hand out; shown once. */
  url: string
}

export interface Settings {
  signup: SignupMode
  default_role: Role
}

export interface ApiKey {
  id: string
  name: string
  user_id?: string
  scopes: Scope[]
  created_at: string
  last_used_at?: string
  revoked_at?: string
}

export type PlaybackEventType = 'view' | 'startup' | 'rebuffer' | 'heartbeat' | 'error'

/** PlaybackEvent is one beacon event; see POST /api/v1/playback-events. */
export interface PlaybackEvent {
  type: PlaybackEventType
  ms?: number
  height?: number
  bitrate?: number
  code?: string
}

export interface AnalyticsBucket {
  hour: string
  views: number
  watch_ms: number
  startups: number
  startup_ms: number
  rebuffers: number
  rebuffer_ms: number
  errors: number
  startup_avg_ms: number
  rebuffer_ratio: number
}

export interface Analytics {
  from: string
  to: string
  video_id?: string
  total: AnalyticsBucket
  hours: AnalyticsBucket[]
  renditions: { height: number; watch_ms: number; max_bitrate: number }[]
  top_videos?: { video_id: string; title: string; views: number; watch_ms: number }[]
}

export interface AnalyticsRange {
  from?: string
  to?: string
}

function rangeQuery(r: AnalyticsRange): string {
  const q = new URLSearchParams()
  if (r.from) q.set('from', r.from)
  if (r.to) q.set('to', r.to)
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** ApiError carries the server's stable error code ("unauthorized", …) and HTTP status (0 for network failures). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  /** Seconds from a 429's Retry-After header. */
  readonly retryAfter?: number

  constructor(status: number, code: string, message: string, retryAfter?: number) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }
}

/** asApiError is err as an ApiError: itself, or status 0 (no answer) with its text. */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err))
}

interface RequestOptions {
  signal?: AbortSignal
  /**
   * A 401 here is an answer, not a lost session (wrong password, "not signed
   * in" on the session probe), so it must not trigger onUnauthorized.
   */
  quiet401?: boolean
  /** Let the request outlive the page (the playback beacon on pagehide). */
  keepalive?: boolean
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export type FetchFunc = (input: string, init?: RequestInit) => Promise<Response>

export class ApiClient {
  private readonly token: string
  private readonly base: string
  private readonly fetchFn: FetchFunc
  private readonly onUnauthorized?: () => void
  private csrf = ''

  /**
   * token, when given, is an API key sent as a bearer token instead of the
   * session cookie (scripts, tests); browsers sign in with sessions.
   */
  constructor(opts: { token?: string; base?: string; fetch?: FetchFunc; onUnauthorized?: () => void } = {}) {
    this.token = opts.token ?? ''
    this.base = opts.base ?? ''
    // Wrapped so window.fetch is never called with a foreign `this`.
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init))
    this.onUnauthorized = opts.onUnauthorized
  }

  /** csrfToken is the token writes carry; kept in memory only, renewed by session(). */
  get csrfToken(): string {
    return this.csrf
  }

  // Accounts and sessions.

  setupInfo(signal?: AbortSignal): Promise<SetupInfo> {
    return this.request('GET', '/auth/setup', undefined, { signal, quiet401: true })
  }

  /** session restores the signed-in state after a reload; 401 means signed out. */
  async session(signal?: AbortSignal): Promise<SessionView> {
    return this.keep(await this.request<SessionView>('GET', '/auth/session', undefined, { signal, quiet401: true }))
  }

  async login(email: string, password: string): Promise<SessionView> {
    return this.keep(await this.request<SessionView>('POST', '/auth/login', { email, password }, { quiet401: true }))
  }

  /** signup creates an account and signs it in; the first account ever is the admin. */
  async signup(req: SignupRequest): Promise<SessionView> {
    const body: SignupRequest = { email: req.email, name: req.name, password: req.password }
    if (req.invite) body.invite = req.invite
    return this.keep(await this.request<SessionView>('POST', '/auth/signup', body, { quiet401: true }))
  }

  /** changePassword needs the current one; other sessions end, this one goes on (new CSRF token). */
  async changePassword(current: string, next: string): Promise<SessionView> {
    return this.keep(await this.request<SessionView>('POST', '/auth/password', { current_password: current, new_password: next }))
  }

  async logout(): Promise<void> {
    try {
      await this.request('POST', '/auth/logout', undefined, { quiet401: true })
    } finally {
      this.csrf = ''
    }
  }

  listUsers(signal?: AbortSignal): Promise<User[]> {
    return this.request<{ users: User[] | null }>('GET', '/users', undefined, { signal }).then((b) => b.users ?? [])
  }

  createUser(u: NewUser): Promise<User> {
    return this.request('POST', '/users', u)
  }

  updateUser(id: string, patch: UserPatch): Promise<User> {
    return this.request('PATCH', `/users/${encodeURIComponent(id)}`, patch)
  }

  deleteUser(id: string): Promise<void> {
    return this.request('DELETE', `/users/${encodeURIComponent(id)}`)
  }

  createInvite(role: Role, ttlHours?: number): Promise<Invite> {
    return this.request('POST', '/invites', ttlHours ? { role, ttl_hours: ttlHours } : { role })
  }

  getSettings(signal?: AbortSignal): Promise<Settings> {
    return this.request('GET', '/settings', undefined, { signal })
  }

  putSettings(s: Partial<Settings>): Promise<Settings> {
    return this.request('PUT', '/settings', s)
  }

  listKeys(signal?: AbortSignal): Promise<ApiKey[]> {
    return this.request<{ keys: ApiKey[] | null }>('GET', '/keys', undefined, { signal }).then((b) => b.keys ?? [])
  }

  /** createKey returns the key and its secret, which the server never shows again. */
  createKey(name: string, scopes: Scope[]): Promise<{ key: ApiKey; secret: string }> {
    return this.request('POST', '/keys', { name, scopes })
  }

  revokeKey(id: string): Promise<void> {
    return this.request('DELETE', `/keys/${encodeURIComponent(id)}`)
  }

  // Videos.

  listVideos(opts: ListOptions = {}, signal?: AbortSignal): Promise<Video[]> {
    const params = new URLSearchParams()
    if (opts.status) params.set('status', opts.status)
    if (opts.q?.trim()) params.set('q', opts.q.trim())
    if (opts.mine) params.set('mine', '1')
    for (const k of ['tag', 'owner', 'from', 'to', 'sort'] as const) {
      if (opts[k]) params.set(k, opts[k]!)
    }
    const qs = params.toString()
    return this.request<{ videos: Video[] | null }>('GET', `/videos${qs ? `?${qs}` : ''}`, undefined, { signal }).then(
      (body) => body.videos ?? [],
    )
  }

  getVideo(id: string, signal?: AbortSignal): Promise<Video> {
    return this.request('GET', `/videos/${encodeURIComponent(id)}`, undefined, { signal })
  }

  /** createVideo makes an empty video to upload into; visibility defaults to private on the server. */
  createVideo(title: string, visibility?: Visibility): Promise<Video> {
    return this.request('POST', '/videos', visibility ? { title, visibility } : { title })
  }

  updateVideo(id: string, patch: VideoPatch): Promise<Video> {
    return this.request('PATCH', `/videos/${encodeURIComponent(id)}`, patch)
  }

  deleteVideo(id: string): Promise<void> {
    return this.request('DELETE', `/videos/${encodeURIComponent(id)}`)
  }

  setDownloads(id: string, enabled: boolean): Promise<Video> {
    return this.request('PUT', `/videos/${encodeURIComponent(id)}/downloads`, { enabled })
  }

  retryVideo(id: string): Promise<Video> {
    return this.request('POST', `/videos/${encodeURIComponent(id)}/retry`)
  }

  /** setPosterTime makes the frame at time seconds the video's poster. */
  setPosterTime(id: string, time: number): Promise<Video> {
    return this.request('PUT', `/videos/${encodeURIComponent(id)}/poster`, { time })
  }

  /** uploadPoster sends an image (JPEG, PNG, WebP) to become the poster; the server re-encodes it. */
  uploadPoster(id: string, image: Blob): Promise<Video> {
    return this.request('PUT', `/videos/${encodeURIComponent(id)}/poster`, image)
  }

  /** resetPoster goes back to the poster kinema chose. */
  resetPoster(id: string): Promise<Video> {
    return this.request('DELETE', `/videos/${encodeURIComponent(id)}/poster`)
  }

  listAudio(id: string, signal?: AbortSignal): Promise<AddedAudio[]> {
    return this.request<{ audio: AddedAudio[] | null }>('GET', `/videos/${encodeURIComponent(id)}/audio`, undefined, { signal }).then(
      (b) => b.audio ?? [],
    )
  }

  /** addAudio adds an audio file in another language to a ready video. */
  addAudio(id: string, file: Blob, language: string, name: string): Promise<AddedAudio> {
    const q = new URLSearchParams({ language, name })
    return this.request('POST', `/videos/${encodeURIComponent(id)}/audio?${q}`, file)
  }

  deleteAudio(id: string, track: string): Promise<void> {
    return this.request('DELETE', `/videos/${encodeURIComponent(id)}/audio/${encodeURIComponent(track)}`)
  }

  // Live streams.

  listLive(signal?: AbortSignal): Promise<LiveStream[]> {
    return this.request<{ streams: LiveStream[] | null }>('GET', '/live', undefined, { signal }).then((body) => body.streams ?? [])
  }

  getLive(id: string, signal?: AbortSignal): Promise<LiveStream> {
    return this.request('GET', `/live/${encodeURIComponent(id)}`, undefined, { signal })
  }

  createLive(title: string): Promise<LiveStream> {
    return this.request('POST', '/live', { title })
  }

  /** endLive ends the stream now; a broadcast in progress is still recorded. */
  endLive(id: string): Promise<LiveStream> {
    return this.request('POST', `/live/${encodeURIComponent(id)}/end`)
  }

  /** rotateLiveKey gives the stream a new key; the old one stops working. */
  rotateLiveKey(id: string): Promise<LiveStream> {
    return this.request('POST', `/live/${encodeURIComponent(id)}/key`)
  }

  /** addRestream forwards the stream to an RTMP destination (rtmp:// or rtmps:// with the key). */
  addRestream(id: string, name: string, url: string): Promise<LiveRestream> {
    return this.request('POST', `/live/${encodeURIComponent(id)}/restreams`, { name, url })
  }

  /** removeRestream stops forwarding to a destination and forgets it. */
  removeRestream(id: string, rid: string): Promise<void> {
    return this.request('DELETE', `/live/${encodeURIComponent(id)}/restreams/${encodeURIComponent(rid)}`)
  }

  /** deleteLive removes a stream that is not live, with its live output; its recording stays. */
  deleteLive(id: string): Promise<void> {
    return this.request('DELETE', `/live/${encodeURIComponent(id)}`)
  }

  /** setLivePassphrase sets the SRT passphrase ("" removes it). */
  setLivePassphrase(id: string, passphrase: string): Promise<LiveStream> {
    return this.request('PATCH', `/live/${encodeURIComponent(id)}`, { srt_passphrase: passphrase })
  }

  private keep(v: SessionView): SessionView {
    this.csrf = v.csrf_token
    return v
  }

  /** sendPlaybackEvents is the players' analytics beacon (anonymous viewers too). */
  sendPlaybackEvents(videoId: string, events: PlaybackEvent[], keepalive = false): Promise<void> {
    return this.request('POST', '/playback-events', { video_id: videoId, events }, { quiet401: true, keepalive })
  }

  /** getVideoAnalytics reads one video's playback sums (its editors and admins). */
  getVideoAnalytics(id: string, range: AnalyticsRange = {}, signal?: AbortSignal): Promise<Analytics> {
    return this.request('GET', `/videos/${encodeURIComponent(id)}/analytics${rangeQuery(range)}`, undefined, { signal })
  }

  /** getAnalytics reads the playback sums over every video (admin). */
  getAnalytics(range: AnalyticsRange = {}, signal?: AbortSignal): Promise<Analytics> {
    return this.request('GET', `/analytics${rangeQuery(range)}`, undefined, { signal })
  }

  // Admin dashboard (#15).

  jobsOverview(signal?: AbortSignal): Promise<JobOverview> {
    return this.request('GET', '/jobs/overview', undefined, { signal })
  }

  listJobs(state: JobState | '', limit: number, signal?: AbortSignal): Promise<JobInfo[]> {
    const q = new URLSearchParams({ limit: String(limit) })
    if (state) q.set('state', state)
    return this.request<{ jobs: JobInfo[] | null }>('GET', `/jobs?${q}`, undefined, { signal }).then((b) => b.jobs ?? [])
  }

  retryJob(id: number): Promise<JobRetry> {
    return this.request('POST', `/jobs/${id}/retry`)
  }

  adminStorage(fresh = false, signal?: AbortSignal): Promise<StorageReport> {
    return this.request('GET', `/admin/storage${fresh ? '?fresh=1' : ''}`, undefined, { signal })
  }

  adminThroughput(hours: number, bucketSeconds: number, signal?: AbortSignal): Promise<Throughput> {
    return this.request('GET', `/admin/throughput?hours=${hours}&bucket=${bucketSeconds}`, undefined, { signal })
  }

  /** listWebhooks: the caller's endpoints; all (admins) for everyone's. */
  listWebhooks(all: boolean, signal?: AbortSignal): Promise<WebhookEndpoint[]> {
    return this.request<{ webhooks: WebhookEndpoint[] | null }>('GET', `/webhooks${all ? '?all=1' : ''}`, undefined, { signal }).then(
      (b) => b.webhooks ?? [],
    )
  }

  createWebhook(url: string, events: WebhookEventType[]): Promise<{ webhook: WebhookEndpoint; secret: string }> {
    return this.request('POST', '/webhooks', { url, events })
  }

  deleteWebhook(id: string): Promise<void> {
    return this.request('DELETE', `/webhooks/${encodeURIComponent(id)}`)
  }

  listWebhookDeliveries(id: string, signal?: AbortSignal): Promise<WebhookDelivery[]> {
    return this.request<{ deliveries: WebhookDelivery[] | null }>('GET', `/webhooks/${encodeURIComponent(id)}/deliveries`, undefined, {
      signal,
    }).then((b) => b.deliveries ?? [])
  }

  testWebhook(id: string): Promise<{ delivery: WebhookDelivery }> {
    return this.request('POST', `/webhooks/${encodeURIComponent(id)}/test`)
  }

  /** suggestUsers: people to share with (group-mates by prefix, anyone by the whole email); admins: everyone by prefix. */
  suggestUsers(q: string, signal?: AbortSignal): Promise<UserSuggestion[]> {
    return this.request<{ users: UserSuggestion[] | null }>('GET', `/users/suggest?q=${encodeURIComponent(q)}`, undefined, { signal }).then(
      (b) => b.users ?? [],
    )
  }

  getUser(id: string, signal?: AbortSignal): Promise<UserDetail> {
    return this.request('GET', `/users/${encodeURIComponent(id)}`, undefined, { signal })
  }

  setUserQuota(id: string, patch: QuotaPatch): Promise<UserDetail> {
    return this.request('PATCH', `/users/${encodeURIComponent(id)}`, patch)
  }

  private async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}, retried = false): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (this.token) headers.Authorization = `Bearer ${this.token}`
    else if (!SAFE_METHODS.has(method) && this.csrf) headers['X-CSRF-Token'] = this.csrf
    // A Blob (a picked file) is sent as it is, any other body as JSON.
    const raw = typeof Blob !== 'undefined' && body instanceof Blob
    if (body !== undefined) headers['Content-Type'] = raw ? body.type || 'application/octet-stream' : 'application/json'
    let res: Response
    try {
      res = await this.fetchFn(`${this.base}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
        credentials: 'same-origin',
        signal: opts.signal,
        keepalive: opts.keepalive,
      })
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.')
    }
    if (res.status === 204) return undefined as T
    const text = await res.text()
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      parsed = undefined
    }
    if (!res.ok) {
      const e = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error
      const wait = Number(res.headers.get('Retry-After'))
      const err = new ApiError(
        res.status,
        e?.code ?? `http_${res.status}`,
        e?.message ?? `Request failed (${res.status})`,
        Number.isFinite(wait) && wait > 0 ? wait : undefined,
      )
      // The token went stale (signed in again in another tab, which made a
      // new session): fetch the current one and try once more.
      if (res.status === 403 && err.code === 'csrf' && !retried && !this.token) {
        try {
          await this.session(opts.signal)
        } catch (e2) {
          if (e2 instanceof ApiError && e2.status === 401) this.onUnauthorized?.()
          throw err
        }
        return this.request(method, path, body, opts, true)
      }
      if (res.status === 401 && !opts.quiet401) this.onUnauthorized?.()
      throw err
    }
    return parsed as T
  }
}

/** isTerminal reports whether a video will not change state without user action. */
export function isTerminal(status: VideoStatus): boolean {
  return status === 'ready' || status === 'failed'
}
