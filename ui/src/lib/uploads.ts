// UploadManager runs the upload side of the upload page: create the video,
// push the bytes with tus (resumable), and hand over to processing. It lives
// above the pages so uploads keep going while the user browses the library.
// React reads it through subscribe/getSnapshot (useSyncExternalStore).

import type { HttpStack, PreviousUpload, UploadOptions, UrlStorage } from 'tus-js-client'
import { ApiError, type ApiClient, type Video, type Visibility } from './api'
import { fileKey, ResumeStore, type ResumeRecord } from './resumeStore'
import { SpeedMeter } from './speed'
import { QueryHttpStack } from './tusQuery'
import { titleFromFileName } from './embed'
import { errorText } from './errors'

export type UploadPhase = 'creating' | 'uploading' | 'paused' | 'processing' | 'error'

export interface UploadEntry {
  key: string
  name: string
  size: number
  phase: UploadPhase
  sent: number
  /** Bytes per second, smoothed. */
  speed: number
  /** Seconds left at the current speed. */
  eta?: number
  videoId?: string
  error?: string
  /** True when this continues an upload started before a reload. */
  resumed: boolean
}

/** The slice of tus-js-client the manager needs; tests pass a fake. */
export interface TusUpload {
  start(): void
  abort(shouldTerminate?: boolean): Promise<void>
  findPreviousUploads(): Promise<PreviousUpload[]>
  resumeFromPreviousUpload(prev: PreviousUpload): void
}
export interface TusModule {
  Upload: new (file: File, options: UploadOptions) => TusUpload
  defaultOptions: { httpStack: HttpStack; urlStorage: UrlStorage }
}

type Client = Pick<ApiClient, 'createVideo' | 'getVideo' | 'deleteVideo'>

const CHUNK_SIZE = 8 * 1024 * 1024 // keeps each PATCH under typical proxy body limits

export class UploadManager {
  private entries: UploadEntry[] = []
  private readonly listeners = new Set<() => void>()
  private readonly uploads = new Map<string, TusUpload>()
  private readonly meters = new Map<string, SpeedMeter>()
  private readonly files = new Map<string, File>()
  private readonly visibilities = new Map<string, Visibility>()
  private readonly lastSaved = new Map<string, number>()
  private readonly client: Client
  private readonly tus: TusModule
  readonly records: ResumeStore
  private seq = 0
  private now: () => number

  constructor(client: Client, tus: TusModule, records = new ResumeStore(), now: () => number = () => performance.now()) {
    this.client = client
    this.tus = tus
    this.records = records
    this.now = now
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  getSnapshot = (): UploadEntry[] => this.entries

  /** interrupted lists uploads from earlier page loads that are not running now. */
  interrupted(): ResumeRecord[] {
    const running = new Set(this.entries.map((e) => e.videoId))
    return this.records.all().filter((r) => !running.has(r.videoId))
  }

  /** add starts uploading each file; they run concurrently. New videos get visibility (server default: private). */
  add(files: Iterable<File>, visibility?: Visibility): void {
    for (const file of files) {
      const key = `u${++this.seq}`
      this.files.set(key, file)
      if (visibility) this.visibilities.set(key, visibility)
      this.entries = [
        ...this.entries,
        { key, name: file.name, size: file.size, phase: 'creating', sent: 0, speed: 0, resumed: false },
      ]
      this.emit()
      void this.begin(key, file)
    }
  }

  pause(key: string): void {
    const up = this.uploads.get(key)
    if (!up) return
    void up.abort()
    const e = this.get(key)
    if (e) this.saveRecord(e, true)
    this.update(key, { phase: 'paused', speed: 0, eta: undefined })
  }

  /** resume continues a paused upload, or retries one that failed. */
  resume(key: string): void {
    const e = this.get(key)
    const up = this.uploads.get(key)
    if (!e) return
    if (!up) {
      // Failed before tus started (e.g. create failed): start from scratch.
      const file = this.files.get(key)
      if (!file) return
      this.update(key, { phase: 'creating', error: undefined })
      void this.begin(key, file)
      return
    }
    this.meters.get(key)?.reset(e.sent, this.now())
    this.update(key, { phase: 'uploading', error: undefined })
    up.start()
  }

  /** cancel stops an upload for good: the tus upload and the empty video are deleted. */
  async cancel(key: string): Promise<void> {
    const e = this.get(key)
    const up = this.uploads.get(key)
    this.dismiss(key)
    if (!e) return
    const file = this.files.get(key)
    if (file) this.records.remove(fileKey(file))
    if (up) await up.abort(true).catch(() => undefined)
    if (e.videoId && e.phase !== 'processing') await this.client.deleteVideo(e.videoId).catch(() => undefined)
    this.files.delete(key)
  }

  /** dismiss removes an entry from the list without touching the server. */
  dismiss(key: string): void {
    this.uploads.delete(key)
    this.meters.delete(key)
    this.entries = this.entries.filter((e) => e.key !== key)
    this.emit()
  }

  /** discard forgets an interrupted upload and deletes its never-finished video. */
  async discard(rec: ResumeRecord): Promise<void> {
    this.records.remove(rec.fileKey)
    const fp = fingerprintFor(rec.videoId, rec.fileKey)
    const storage = this.tus.defaultOptions.urlStorage
    try {
      for (const prev of await storage.findUploadsByFingerprint(fp)) await storage.removeUpload(prev.urlStorageKey)
    } catch {
      // Stale tus bookkeeping is harmless.
    }
    this.emit()
    await this.client.deleteVideo(rec.videoId).catch(() => undefined)
  }

  private async begin(key: string, file: File): Promise<void> {
    const fk = fileKey(file)
    let video: Video | undefined
    let resumed = false
    try {
      const rec = this.records.find(fk)
      if (rec) {
        try {
          const v = await this.client.getVideo(rec.videoId)
          if (v.status === 'waiting_upload' && v.upload?.tus_url) {
            video = v
            resumed = true
          } else {
            this.records.remove(fk) // already uploaded or gone: start a new video
          }
        } catch (err) {
          if (!(err instanceof ApiError) || err.status !== 404) throw err
          this.records.remove(fk)
        }
      }
      if (!video) video = await this.client.createVideo(titleFromFileName(file.name), this.visibilities.get(key))
      if (!video.upload?.tus_url) throw new Error('The server did not return an upload URL.')
    } catch (err) {
      this.update(key, { phase: 'error', error: errorText(err) })
      return
    }
    if (!this.get(key)) return // cancelled while creating
    const tusUrl = video.upload!.tus_url
    const videoId = video.id
    const meter = new SpeedMeter()
    this.meters.set(key, meter)
    this.update(key, { videoId, phase: 'uploading', resumed })
    this.records.put({ fileKey: fk, videoId, name: file.name, size: file.size, sent: 0, savedAt: new Date().toISOString() })

    const up = new this.tus.Upload(file, {
      endpoint: tusUrl,
      httpStack: new QueryHttpStack(this.tus.defaultOptions.httpStack, tusUrl),
      // Keyed by video, not by the endpoint (whose token may be renewed), so a
      // fresh tus_url still finds the upload started before a reload.
      fingerprint: () => Promise.resolve(fingerprintFor(videoId, fk)),
      metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      chunkSize: CHUNK_SIZE,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      onProgress: (sent, total) => {
        const now = this.now()
        meter.sample(sent, now)
        const e = this.get(key)
        if (!e || e.phase !== 'uploading') return
        this.update(key, { sent, speed: meter.bytesPerSecond, eta: meter.etaSeconds(total - sent) })
        if (now - (this.lastSaved.get(key) ?? 0) > 2000) this.saveRecord({ ...e, sent }, false)
      },
      onSuccess: () => {
        this.records.remove(fk)
        this.update(key, { phase: 'processing', sent: file.size, speed: 0, eta: 0 })
      },
      onError: (err) => {
        this.update(key, { phase: 'error', speed: 0, eta: undefined, error: tusMessage(err) })
      },
    })
    this.uploads.set(key, up)
    try {
      const prev = await up.findPreviousUploads()
      if (prev.length > 0) up.resumeFromPreviousUpload(prev[0])
    } catch {
      // No usable storage: upload from the start.
    }
    if (this.get(key)?.phase === 'uploading') up.start()
  }

  private saveRecord(e: UploadEntry, force: boolean): void {
    const file = this.files.get(e.key)
    if (!file || !e.videoId) return
    if (!force && this.records.find(fileKey(file)) === undefined) return
    this.lastSaved.set(e.key, this.now())
    this.records.put({
      fileKey: fileKey(file),
      videoId: e.videoId,
      name: file.name,
      size: file.size,
      sent: e.sent,
      savedAt: new Date().toISOString(),
    })
  }

  private get(key: string): UploadEntry | undefined {
    return this.entries.find((e) => e.key === key)
  }

  private update(key: string, patch: Partial<UploadEntry>): void {
    this.entries = this.entries.map((e) => (e.key === key ? { ...e, ...patch } : e))
    this.emit()
  }

  private emit(): void {
    for (const fn of this.listeners) fn()
  }
}

export function fingerprintFor(videoId: string, fk: string): string {
  return `kinema:${videoId}:${fk}`
}

/** tusMessage turns tus-js-client's long diagnostic into something a person can read. */
export function tusMessage(err: unknown): string {
  const detailed = err as { originalResponse?: { getStatus(): number; getBody(): string } | null }
  const res = detailed?.originalResponse
  if (res) {
    const status = res.getStatus()
    let msg = ''
    try {
      msg = (JSON.parse(res.getBody()) as { error?: { message?: string } }).error?.message ?? ''
    } catch {
      msg = res.getBody()?.slice(0, 200) ?? ''
    }
    if (status === 0) return 'Connection lost. Resume to try again.'
    return `Upload failed (HTTP ${status})${msg ? `: ${msg.trim()}` : ''}`
  }
  const m = errorText(err)
  if (/failed to upload chunk|request failed|network/i.test(m)) return 'Connection lost. Resume to try again.'
  return m
}
