// The playback analytics beacon (issue #15): what kinema's player and embeds
// report to POST /api/v1/playback-events, modelled on Mux Data. A playback
// reports a view and its startup time (play requested -> first frame) once,
// then every 10 s a heartbeat with the wall-clock time watched since the
// last one per rendition, each rebuffer (a stall after the start, not a
// seek) when it ends, and errors. Only sums leave the page.

import { useEffect, useRef } from 'react'
import type { PlaybackEvent } from './api'

export const HEARTBEAT_MS = 10_000

export interface Rendition {
  height: number
  bitrate: number
}

/** videos already counted as viewed on this page (a re-keyed player, e.g. a refreshed embed, is not a new view). */
const viewed = new Set<string>()

/** PlaybackBeacon turns media element events into beacon events. Pure but for the clock, so it is unit-tested. */
export class PlaybackBeacon {
  private queue: PlaybackEvent[] = []
  private requestedAt = -1
  private started = false
  private stallAt = -1
  private lastTick = -1
  private watching = false
  private watched = new Map<number, { ms: number; bitrate: number }>()

  constructor(
    private readonly videoId: string,
    private readonly send: (events: PlaybackEvent[], final: boolean) => void,
    private readonly rendition: () => Rendition,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** play: the viewer (or autoplay) asked to play. */
  play(): void {
    if (this.requestedAt < 0) this.requestedAt = this.now()
  }

  /** playing: frames are moving (first frame, or again after a stall). */
  playing(): void {
    const t = this.now()
    if (!this.started) {
      this.started = true
      if (!viewed.has(this.videoId)) {
        viewed.add(this.videoId)
        this.queue.push({ type: 'view' })
        this.queue.push({ type: 'startup', ms: Math.min(120_000, Math.round(t - (this.requestedAt < 0 ? t : this.requestedAt))) })
      }
    }
    if (this.stallAt >= 0) {
      this.queue.push({ type: 'rebuffer', ms: Math.min(600_000, Math.round(t - this.stallAt)) })
      this.stallAt = -1
    }
    this.account(t)
    this.watching = true
    this.lastTick = t
    if (this.queue.length) this.flush(false)
  }

  /** waiting: playback stalled for data. seeking says whether the viewer seeked (not a rebuffer). */
  waiting(seeking: boolean): void {
    const t = this.now()
    this.account(t)
    this.watching = false
    if (this.started && !seeking && this.stallAt < 0) this.stallAt = t
  }

  /** paused: paused or ended. */
  paused(): void {
    this.account(this.now())
    this.watching = false
    this.stallAt = -1
  }

  error(code: string): void {
    this.queue.push({ type: 'error', code: code.slice(0, 64) })
    this.flush(false)
  }

  /** account adds the time watched since the last tick to the rendition playing. */
  private account(t: number): void {
    if (this.watching && this.lastTick >= 0) {
      const r = this.rendition()
      const w = this.watched.get(r.height) ?? { ms: 0, bitrate: 0 }
      w.ms += Math.max(0, t - this.lastTick)
      w.bitrate = Math.max(w.bitrate, r.bitrate)
      this.watched.set(r.height, w)
    }
    this.lastTick = t
  }

  /** flush sends what is pending: heartbeats for the time watched, and queued events. final on unload. */
  flush(final: boolean): void {
    this.account(this.now())
    for (const [height, w] of this.watched) {
      let ms = Math.round(w.ms)
      while (ms > 0) {
        const part = Math.min(ms, 60_000)
        this.queue.push({ type: 'heartbeat', ms: part, height, bitrate: Math.min(1e9, Math.round(w.bitrate)) })
        ms -= part
      }
    }
    this.watched.clear()
    if (!this.queue.length) return
    const events = this.queue.splice(0, 64)
    this.send(events, final)
  }
}

/** forgetViews is for tests: every video counts again. */
export function forgetViews(): void {
  viewed.clear()
}

/**
 * useBeacon reports playback of videoId on the element in ref. rendition
 * returns what is playing now; error, when it changes to a message, is
 * reported once.
 */
export function useBeacon(
  ref: React.RefObject<HTMLVideoElement | null>,
  videoId: string | undefined,
  send: (events: PlaybackEvent[], final: boolean) => void,
  rendition: () => Rendition,
  error: string | null | undefined,
): void {
  const beacon = useRef<PlaybackBeacon | null>(null)
  const sendRef = useRef(send)
  sendRef.current = send
  const renditionRef = useRef(rendition)
  renditionRef.current = rendition
  useEffect(() => {
    const v = ref.current
    if (!v || !videoId) return
    const b = new PlaybackBeacon(videoId, (e, final) => sendRef.current(e, final), () => renditionRef.current())
    beacon.current = b
    const onPlay = () => b.play()
    const onPlaying = () => b.playing()
    const onWaiting = () => b.waiting(v.seeking)
    const onPause = () => b.paused()
    const onError = () => b.error(`media_${v.error?.code ?? 0}`)
    const onHide = () => b.flush(true)
    v.addEventListener('play', onPlay)
    v.addEventListener('playing', onPlaying)
    v.addEventListener('waiting', onWaiting)
    v.addEventListener('pause', onPause)
    v.addEventListener('ended', onPause)
    v.addEventListener('error', onError)
    window.addEventListener('pagehide', onHide)
    const t = window.setInterval(() => b.flush(false), HEARTBEAT_MS)
    return () => {
      window.clearInterval(t)
      v.removeEventListener('play', onPlay)
      v.removeEventListener('playing', onPlaying)
      v.removeEventListener('waiting', onWaiting)
      v.removeEventListener('pause', onPause)
      v.removeEventListener('ended', onPause)
      v.removeEventListener('error', onError)
      window.removeEventListener('pagehide', onHide)
      b.flush(true)
      beacon.current = null
    }
  }, [ref, videoId])
  useEffect(() => {
    if (error) beacon.current?.error('player')
  }, [error])
}
