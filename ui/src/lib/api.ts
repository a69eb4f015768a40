// Typed client for kinema's REST API (/api/v1). Every call carries the API key
// as a bearer token; failures become ApiError so the UI can show the server's
// message and react to 401 by signing out.

export type VideoStatus = 'waiting_upload' | 'queued' | 'processing' | 'ready' | 'failed'

export interface Rendition {
  id: string
  type: 'video' | 'audio' | string
  width?: number
  height?: number
  bitrate?: number
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
  expires_at?: string
  tus_url: string
}

export interface Video {
  id: string
  title: string
  status: VideoStatus
  kind?: 'video' | 'audio' | ''
  progress?: number
  eta_seconds?: number | null
  error?: string
  duration?: number
  width?: number
  height?: number
  created_at?: string
  renditions?: Rendition[]
  playback?: Playback
  upload?: UploadTarget
}

export type LiveStatus = 'idle' | 'live' | 'ended'

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
  playback?: { hls: string; dash?: string; expires_at?: string }
}

export interface ListOptions {
  status?: VideoStatus | ''
  q?: string
}

/** ApiError carries the server's stable error code ("unauthorized", …) and HTTP status (0 for network failures). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

export type FetchFunc = (input: string, init?: RequestInit) => Promise<Response>

export class ApiClient {
  private readonly token: string
  private readonly base: string
  private readonly fetchFn: FetchFunc
  private readonly onUnauthorized?: () => void

  constructor(opts: { token: string; base?: string; fetch?: FetchFunc; onUnauthorized?: () => void }) {
    this.token = opts.token
    this.base = opts.base ?? ''
    // Wrapped so window.fetch is never called with a foreign `this`.
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init))
    this.onUnauthorized = opts.onUnauthorized
  }

  listVideos(opts: ListOptions = {}, signal?: AbortSignal): Promise<Video[]> {
    const params = new URLSearchParams()
    if (opts.status) params.set('status', opts.status)
    if (opts.q?.trim()) params.set('q', opts.q.trim())
    const qs = params.toString()
    return this.request<{ videos: Video[] | null }>('GET', `/videos${qs ? `?${qs}` : ''}`, undefined, signal).then(
      (body) => body.videos ?? [],
    )
  }

  getVideo(id: string, signal?: AbortSignal): Promise<Video> {
    return this.request('GET', `/videos/${encodeURIComponent(id)}`, undefined, signal)
  }

  createVideo(title: string): Promise<Video> {
    return this.request('POST', '/videos', { title })
  }

  deleteVideo(id: string): Promise<void> {
    return this.request('DELETE', `/videos/${encodeURIComponent(id)}`)
  }

  retryVideo(id: string): Promise<Video> {
    return this.request('POST', `/videos/${encodeURIComponent(id)}/retry`)
  }

  listLive(signal?: AbortSignal): Promise<LiveStream[]> {
    return this.request<{ streams: LiveStream[] | null }>('GET', '/live', undefined, signal).then((body) => body.streams ?? [])
  }

  getLive(id: string, signal?: AbortSignal): Promise<LiveStream> {
    return this.request('GET', `/live/${encodeURIComponent(id)}`, undefined, signal)
  }

  createLive(title: string): Promise<LiveStream> {
    return this.request('POST', '/live', { title })
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    let res: Response
    try {
      res = await this.fetchFn(`${this.base}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
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
      const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `Request failed (${res.status})`)
      if (res.status === 401) this.onUnauthorized?.()
      throw err
    }
    return parsed as T
  }
}

/** isTerminal reports whether a video will not change state without user action. */
export function isTerminal(status: VideoStatus): boolean {
  return status === 'ready' || status === 'failed'
}
