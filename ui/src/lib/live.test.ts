import { describe, expect, it, vi } from 'vitest'
import type { LiveStream } from './api'
import {
  formatLatency,
  keepPolling,
  latencyFrom,
  LIVE_HLS_CONFIG,
  LIVE_LL_HLS_CONFIG,
  liveBadge,
  maskKey,
  maskSecret,
  obsSettings,
  relaxAfterStalls,
  setCatchUp,
  RELAX_AFTER_MS,
  type CatchUp,
} from './live'

const KEY = 'k3yAbCdEfGhIjKlMnOpQrStUvWxYz0123456789wxyz'

function stream(over: Partial<LiveStream>): LiveStream {
  return { id: 's', title: 't', status: 'idle', stream_key: KEY, connected: false, video_id: '', ...over }
}

describe('live player settings', () => {
  it('stays one segment behind the edge without LL-HLS', () => {
    expect(LIVE_HLS_CONFIG).toEqual({ liveSyncDurationCount: 1, liveMaxLatencyDurationCount: 3, lowLatencyMode: false })
  })
  it('with LL-HLS loads parts, stays 1 s behind and jumps back past 4 s', () => {
    expect(LIVE_LL_HLS_CONFIG).toEqual({
      lowLatencyMode: true,
      liveSyncDuration: 1,
      liveMaxLatencyDuration: 4,
      maxLiveSyncPlaybackRate: 1.5,
    })
    // hls.js refuses a maximum that is not above the target.
    expect(LIVE_LL_HLS_CONFIG.liveMaxLatencyDuration).toBeGreaterThan(LIVE_LL_HLS_CONFIG.liveSyncDuration)
  })
})

describe('stream key masking', () => {
  it('keeps only the last four characters', () => {
    const m = maskKey(KEY)
    expect(m.endsWith('wxyz')).toBe(true)
    expect(m).not.toContain(KEY.slice(0, 8))
    expect(maskKey('')).toBe('')
    expect(maskKey('short')).toBe('••••••••••••')
  })

  it('masks the key inside publish URLs', () => {
    const srt = `srt://127.0.0.1:9710?streamid=publish:${KEY}`
    const masked = maskSecret(srt, KEY)
    expect(masked.startsWith('srt://127.0.0.1:9710?streamid=publish:')).toBe(true)
    expect(masked).not.toContain(KEY)
    expect(maskSecret(srt, '')).toBe(srt)
  })
})

describe('obsSettings', () => {
  it('splits the RTMP URL into server and key', () => {
    expect(obsSettings(`rtmp://tv.example:1935/live/${KEY}`, KEY)).toEqual({ server: 'rtmp://tv.example:1935/live', key: KEY })
  })
  it('gives up on anything else', () => {
    expect(obsSettings(undefined, KEY)).toBeUndefined()
    expect(obsSettings('', KEY)).toBeUndefined()
    expect(obsSettings('srt://h:1/x', KEY)).toBeUndefined()
    expect(obsSettings('rtmp://', KEY)).toBeUndefined()
  })
})

describe('liveBadge', () => {
  it.each([
    ['live', 'LIVE', 'live'],
    ['idle', 'Idle', 'idle'],
    ['ended', 'Ended', 'ended'],
  ] as const)('%s', (status, label, tone) => {
    expect(liveBadge(status)).toEqual({ label, tone })
  })
})

describe('latency', () => {
  it.each([
    [undefined, ''],
    [NaN, ''],
    [-1, ''],
    [0.05, 'at the live edge'],
    [3.24, '3.2 s behind live'],
    [75, '1 min 15 s behind live'],
  ])('formatLatency(%s) = %j', (s, want) => {
    expect(formatLatency(s)).toBe(want)
  })

  it('prefers hls.js, falls back to the seekable end', () => {
    expect(latencyFrom({ hlsLatency: 4.2, seekableEnd: 30, currentTime: 20 })).toBe(4.2)
    expect(latencyFrom({ hlsLatency: 0, seekableEnd: 30, currentTime: 27 })).toBe(3)
    expect(latencyFrom({ hlsLatency: NaN, seekableEnd: 30, currentTime: 31 })).toBe(0)
    expect(latencyFrom({ currentTime: 5 })).toBeUndefined()
  })
})

describe('keepPolling', () => {
  const now = Date.parse('2026-01-01T12:00:00Z')
  it('polls until the recording is handed over', () => {
    expect(keepPolling(stream({ status: 'idle' }), now)).toBe(true)
    expect(keepPolling(stream({ status: 'live' }), now)).toBe(true)
    expect(keepPolling(stream({ status: 'ended', ended_at: '2026-01-01T11:59:00Z' }), now)).toBe(true)
    expect(keepPolling(stream({ status: 'ended', ended_at: '2026-01-01T11:59:00Z', error: 'bad input' }), now)).toBe(true)
    expect(keepPolling(stream({ status: 'ended', video_id: 'v1' }), now)).toBe(false)
  })
  it('gives up on a recording that never comes', () => {
    expect(keepPolling(stream({ status: 'ended', ended_at: '2026-01-01T11:00:00Z' }), now)).toBe(false)
  })
})

describe('relaxAfterStalls', () => {
  it('sets the target latency back once playback went RELAX_AFTER_MS without a stall', () => {
    vi.useFakeTimers()
    try {
      let clock = 0
      const video = new EventTarget() as HTMLVideoElement
      const hls = { targetLatency: 1 as number | null }
      const stop = relaxAfterStalls(hls, video, 1, () => clock)
      const tick = (ms: number) => {
        clock += ms
        vi.advanceTimersByTime(ms)
      }
      // Two stalls: hls.js raised its target to 3 s.
      tick(2000)
      video.dispatchEvent(new Event('waiting'))
      hls.targetLatency = 3
      tick(RELAX_AFTER_MS - 1000)
      expect(hls.targetLatency).toBe(3) // too soon after the stall
      video.dispatchEvent(new Event('waiting'))
      tick(RELAX_AFTER_MS - 1000)
      expect(hls.targetLatency).toBe(3)
      tick(2000)
      expect(hls.targetLatency).toBe(1)
      stop()
      hls.targetLatency = 3
      tick(RELAX_AFTER_MS * 2)
      expect(hls.targetLatency).toBe(3) // stopped
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('setCatchUp', () => {
  it('stops the jump to the edge and the faster playback for a DVR seek, and restores both', () => {
    const media = { playbackRate: 1.5 } as HTMLMediaElement
    const hls = { config: { liveMaxLatencyDuration: 4, liveMaxLatencyDurationCount: 3, maxLiveSyncPlaybackRate: 1.5, liveSyncDuration: 1 }, media }
    const saved: { current?: CatchUp } = {}
    setCatchUp(hls, false, saved)
    expect(hls.config).toEqual({ liveMaxLatencyDuration: 1e9, liveMaxLatencyDurationCount: 1e9, maxLiveSyncPlaybackRate: 1, liveSyncDuration: 1 })
    expect(media.playbackRate).toBe(1) // hls.js leaves a rate it set when it stops adjusting
    setCatchUp(hls, false, saved) // a second seek back keeps the first settings
    hls.config.liveSyncDuration = 2 // the rest of the configuration is not setCatchUp's
    setCatchUp(hls, true, saved)
    expect(hls.config).toEqual({ liveMaxLatencyDuration: 4, liveMaxLatencyDurationCount: 3, maxLiveSyncPlaybackRate: 1.5, liveSyncDuration: 2 })
    expect(saved.current).toBeUndefined()
  })
})
