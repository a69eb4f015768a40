import { beforeEach, describe, expect, it } from 'vitest'
import type { Analytics } from './api'
import { hourly } from './analytics'
import { forgetViews, PlaybackBeacon } from './beacon'
import type { PlaybackEvent } from './api'

describe('PlaybackBeacon', () => {
  beforeEach(() => forgetViews())

  it('reports a view with its startup time, watch time per rendition, rebuffers but not seeks', () => {
    let now = 1000
    const sent: PlaybackEvent[][] = []
    let height = 720
    const b = new PlaybackBeacon('vid_a', (e) => sent.push(e), () => ({ height, bitrate: height * 3000 }), () => now)
    b.play()
    now += 850
    b.playing()
    expect(sent).toEqual([[{ type: 'view' }, { type: 'startup', ms: 850 }]])
    now += 4000
    b.waiting(false) // a stall
    now += 1500
    b.playing()
    expect(sent[1]).toEqual([{ type: 'rebuffer', ms: 1500 }, { type: 'heartbeat', ms: 4000, height: 720, bitrate: 2160000 }])
    now += 2000
    height = 360
    b.waiting(true) // a seek: no rebuffer
    now += 3000
    b.playing()
    now += 1000
    b.paused()
    now += 60_000 // paused time is not watch time
    b.flush(false)
    // 2 s before the seek and 1 s after it; the time seeking is not watch time.
    expect(sent[2]).toEqual([{ type: 'heartbeat', ms: 3000, height: 360, bitrate: 1080000 }])
    b.flush(false)
    expect(sent).toHaveLength(3) // nothing pending, nothing sent
  })

  it('counts one view per video per page, even for a new player', () => {
    const sent: PlaybackEvent[][] = []
    for (let i = 0; i < 2; i++) {
      const b = new PlaybackBeacon('vid_b', (e) => sent.push(e), () => ({ height: 0, bitrate: 0 }), () => 0)
      b.play()
      b.playing()
    }
    expect(sent.flat().filter((e) => e.type === 'view')).toHaveLength(1)
  })

  it('splits long watch time into heartbeats the server accepts', () => {
    let now = 0
    const sent: PlaybackEvent[][] = []
    const b = new PlaybackBeacon('vid_c', (e) => sent.push(e), () => ({ height: 1080, bitrate: 5e6 }), () => now)
    b.play()
    b.playing()
    now += 150_000
    b.flush(true)
    expect(sent[1].map((e) => e.ms)).toEqual([60_000, 60_000, 30_000])
  })
})

describe('hourly', () => {
  it('fills every hour of the range and leaves averages blank without data', () => {
    const a: Analytics = {
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-01T04:00:00Z',
      total: {} as Analytics['total'],
      renditions: [],
      hours: [
        { hour: '2026-12-01T02:00:00Z', views: 3, watch_ms: 120000, startups: 2, startup_ms: 1000, rebuffers: 1, rebuffer_ms: 30000, errors: 1, startup_avg_ms: 500, rebuffer_ratio: 0.2 },
      ],
    }
    const s = hourly(a)
    expect(s.x).toHaveLength(4)
    expect(s.views).toEqual([0, 0, 3, 0])
    expect(s.watchMinutes).toEqual([0, 0, 2, 0])
    expect(s.startupMs).toEqual([null, null, 500, null])
    expect(s.rebufferPct).toEqual([null, null, 20, null])
  })
})
