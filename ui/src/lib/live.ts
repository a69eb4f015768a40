// Pure helpers for the live pages: the player's latency settings, masking
// the stream key, OBS settings from the RTMP URL, badges, latency text and
// when to stop polling. Kept free of React so they are unit-tested directly.

import type { LiveStatus, LiveStream } from './api'

/**
 * LIVE_HLS_CONFIG keeps the player close to the live edge of the regular
 * HLS playlists (2 s segments, no parts): lowLatencyMode would only make
 * hls.js look for parts that never come. One target duration behind the
 * edge is about 4–5 s glass-to-glass (internal/live/README.md); past three,
 * hls.js catches up.
 */
export const LIVE_HLS_CONFIG = {
  liveSyncDurationCount: 1,
  liveMaxLatencyDurationCount: 3,
  lowLatencyMode: false,
} as const

/**
 * LIVE_LL_HLS_CONFIG is for streams that offer Low-Latency HLS (0.2 s parts,
 * blocking playlist reload, internal/live/README.md). hls.js loads parts
 * (lowLatencyMode) and stays 1 s behind the newest part (about five parts;
 * the server's PART-HOLD-BACK is 0.66 s), plays up to 1.5× fast to get back
 * there, and jumps back to it when more than 4 s behind: without a maximum,
 * hls.js stops catching up once stalls put it a target duration past its
 * target, and stays seconds behind (bench/latency.sh saw 7 s). hls.js
 * accepts liveMaxLatencyDuration only together with liveSyncDuration.
 */
export const LIVE_LL_HLS_CONFIG = {
  lowLatencyMode: true,
  liveSyncDuration: 1,
  liveMaxLatencyDuration: 4,
  maxLiveSyncPlaybackRate: 1.5,
} as const

/** RELAX_AFTER_MS: this long without a stall, relaxAfterStalls undoes hls.js's stall increases. */
export const RELAX_AFTER_MS = 6000

/** LatencyTarget is the part of hls.js relaxAfterStalls drives. */
export interface LatencyTarget {
  get targetLatency(): number | null
  set targetLatency(latency: number)
}

/**
 * relaxAfterStalls: after each stall hls.js adds 1 s to its target latency
 * (liveSyncOnStallIncrease), up to a target duration, and never takes it
 * back, so two stalls on a busy machine leave a low-latency player 3 s
 * behind for the rest of the broadcast (bench/latency.sh). Once playback
 * went RELAX_AFTER_MS without a stall, this sets the target back to base
 * (which also resets hls.js's stall count); hls.js then speeds up to it.
 * Returns the function that stops it.
 */
export function relaxAfterStalls(hls: LatencyTarget, video: HTMLVideoElement, base: number, now: () => number = () => Date.now()): () => void {
  let last = now()
  const onWaiting = () => {
    last = now()
  }
  video.addEventListener('waiting', onWaiting)
  const id = setInterval(() => {
    try {
      const t = hls.targetLatency
      if (now() - last >= RELAX_AFTER_MS && t != null && t > base + 0.05) hls.targetLatency = base
    } catch {
      clearInterval(id) // hls.js was destroyed
    }
  }, 1000)
  return () => {
    clearInterval(id)
    video.removeEventListener('waiting', onWaiting)
  }
}

/** CatchUpTarget is the part of hls.js setCatchUp drives. */
export interface CatchUpTarget {
  config: { liveMaxLatencyDuration?: number; liveMaxLatencyDurationCount: number; maxLiveSyncPlaybackRate: number }
  media: HTMLMediaElement | null
}

/** The hls.js settings setCatchUp turns off, as they were before. */
export type CatchUp = CatchUpTarget['config']

/**
 * setCatchUp turns hls.js's ways back to the live edge off for a DVR seek,
 * and back on: its jump when further behind than its maximum latency, and
 * (low latency) its faster playback while within a target duration of its
 * target, which a player that stalled has raised, so that a seek a few
 * seconds back would otherwise drift forward at 1.5×. hls.js reads these
 * settings on every playlist reload and time update.
 */
export function setCatchUp(h: CatchUpTarget | undefined, on: boolean, saved: { current?: CatchUp }) {
  if (!h) return
  const cfg = h.config
  if (on) {
    if (saved.current) Object.assign(cfg, saved.current)
    saved.current = undefined
    return
  }
  // These three only: cfg is the whole of hls.js's configuration.
  const { liveMaxLatencyDuration, liveMaxLatencyDurationCount, maxLiveSyncPlaybackRate } = cfg
  saved.current ??= { liveMaxLatencyDuration, liveMaxLatencyDurationCount, maxLiveSyncPlaybackRate }
  if (cfg.liveMaxLatencyDuration !== undefined) cfg.liveMaxLatencyDuration = 1e9
  cfg.liveMaxLatencyDurationCount = 1e9
  cfg.maxLiveSyncPlaybackRate = 1
  if (h.media && h.media.playbackRate > 1) h.media.playbackRate = 1
}

/** POLL_MS is how often the live pages reload a stream. */
export const POLL_MS = 2000

const DOT = '•'

/** maskKey hides a stream key but for its last four characters, so two keys can still be told apart. */
export function maskKey(key: string): string {
  if (!key) return ''
  const tail = key.length > 8 ? key.slice(-4) : ''
  return DOT.repeat(12) + tail
}

/** maskSecret replaces every occurrence of secret in text with its mask. */
export function maskSecret(text: string, secret: string): string {
  if (!secret) return text
  return text.split(secret).join(maskKey(secret))
}

export interface ObsSettings {
  /** "Server" in OBS (Settings → Stream → Custom), e.g. rtmp://host:1935/live. */
  server: string
  /** "Stream Key" in OBS. */
  key: string
}

/** obsSettings splits rtmp://host:port/live/KEY into OBS's two fields. */
export function obsSettings(rtmpUrl: string | undefined, streamKey: string): ObsSettings | undefined {
  if (!rtmpUrl) return undefined
  const i = rtmpUrl.lastIndexOf('/')
  if (!rtmpUrl.startsWith('rtmp://') || i <= 'rtmp://'.length) return undefined
  const server = rtmpUrl.slice(0, i)
  const key = rtmpUrl.slice(i + 1) || streamKey
  return { server, key }
}

export interface BadgeInfo {
  label: string
  tone: 'live' | 'idle' | 'ended'
}

/** liveBadge is the status badge: LIVE (red) while broadcasting, Idle before, Ended after. */
export function liveBadge(status: LiveStatus): BadgeInfo {
  switch (status) {
    case 'live':
      return { label: 'LIVE', tone: 'live' }
    case 'ended':
      return { label: 'Ended', tone: 'ended' }
    default:
      return { label: 'Idle', tone: 'idle' }
  }
}

/** formatLatency renders the distance behind the live edge, e.g. "3.2 s behind live". */
export function formatLatency(seconds: number | undefined | null): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return ''
  if (seconds < 0.1) return 'at the live edge'
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s behind live`
  return `${seconds.toFixed(1)} s behind live`
}

/**
 * latencyFrom picks the distance behind the live edge: hls.js's own
 * estimate (the edge of the last playlist plus the time since it loaded)
 * when it has one, else the end of the seekable range (native HLS).
 */
export function latencyFrom(opts: { hlsLatency?: number; seekableEnd?: number; currentTime: number }): number | undefined {
  if (opts.hlsLatency != null && Number.isFinite(opts.hlsLatency) && opts.hlsLatency > 0) return opts.hlsLatency
  if (opts.seekableEnd != null && Number.isFinite(opts.seekableEnd) && opts.seekableEnd > 0) {
    return Math.max(0, opts.seekableEnd - opts.currentTime)
  }
  return undefined
}

/** How long after the end the page keeps waiting for the recording's video id. */
const RECORDING_WAIT_MS = 10 * 60_000

/**
 * keepPolling says whether a stream can still change: anything not ended
 * can, and an ended one until its recording is handed over (a broadcast
 * that ended with an error still hands over what it recorded), or long ago.
 */
export function keepPolling(st: LiveStream, now: number = Date.now()): boolean {
  if (st.status !== 'ended') return true
  if (st.video_id) return false
  const ended = st.ended_at ? Date.parse(st.ended_at) : NaN
  return Number.isNaN(ended) || now - ended < RECORDING_WAIT_MS
}
