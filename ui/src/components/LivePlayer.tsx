// LivePlayer: a live HLS stream kept close to the live edge. It starts
// muted (browsers allow muted autoplay), shows a LIVE badge and how far
// behind the live edge playback is. The seek bar spans the DVR window (the
// playlist's sliding window, 60 s by default): seeking back pauses hls.js's
// catch-up (its maximum latency) until "Go live" returns to the edge. The
// quality menu is the VOD player's, with the same labels.

import { useCallback, useEffect, useRef, useState } from 'react'
import { formatLatency, latencyFrom, setCatchUp, type CatchUp } from '../lib/live'
import { useHls } from '../lib/useHls'
import { Icon } from './Icon'
import { QualityMenu } from './QualityMenu'
import { SeekBar } from './SeekBar'

/** Behind the edge by more than this, "Go live" is offered (regular HLS; LL-HLS: BEHIND_LL_S). */
const BEHIND_S = 8
const BEHIND_LL_S = 3
/** A seek that lands more than this before the edge is a DVR seek: hls.js must not jump back. */
const DVR_S = 3

/** The seekable DVR window, in media time. */
interface LiveWindow {
  start: number
  end: number
  current: number
  buffered: number
}

export function LivePlayer({ src, title, lowLatency }: { src: string; title?: string; lowLatency?: boolean }) {
  const box = useRef<HTMLDivElement>(null)
  const videoRef = useRef<HTMLVideoElement>(null)
  const hls = useHls(videoRef, src, { live: true, lowLatency })
  const { instance } = hls
  const [playing, setPlaying] = useState(false)
  const [muted, setMuted] = useState(true)
  const [latency, setLatency] = useState<number>()
  const [waiting, setWaiting] = useState(true)
  const [win, setWin] = useState<LiveWindow>()
  const [dvr, setDvr] = useState(false)
  const savedCatchUp = useRef<CatchUp | undefined>(undefined)

  // hls.js updates its latency estimate without an event; sample it.
  useEffect(() => {
    const id = setInterval(() => {
      const v = videoRef.current
      if (!v) return
      const h = instance()
      let hlsLatency: number | undefined
      try {
        hlsLatency = h?.latency
      } catch {
        hlsLatency = undefined
      }
      const seekableEnd = v.seekable.length ? v.seekable.end(v.seekable.length - 1) : undefined
      setLatency(v.currentTime > 0 ? latencyFrom({ hlsLatency, seekableEnd, currentTime: v.currentTime }) : undefined)
      if (v.seekable.length && seekableEnd != null && Number.isFinite(seekableEnd)) {
        const start = v.seekable.start(0)
        let buffered = v.currentTime
        for (let i = 0; i < v.buffered.length; i++) {
          if (v.buffered.start(i) <= v.currentTime + 0.5 && v.buffered.end(i) > buffered) buffered = v.buffered.end(i)
        }
        setWin({ start, end: seekableEnd, current: v.currentTime, buffered })
      } else {
        setWin(undefined)
      }
    }, 500)
    return () => clearInterval(id)
  }, [instance])

  const toggle = useCallback(() => {
    const v = videoRef.current
    if (!v) return
    if (v.paused) v.play().catch(() => undefined)
    else v.pause()
  }, [])

  const seek = useCallback(
    (t: number) => {
      const v = videoRef.current
      if (!v || !win) return
      const pos = Math.min(Math.max(win.start + t, win.start), win.end)
      const back = pos < win.end - DVR_S
      setCatchUp(instance(), !back, savedCatchUp)
      setDvr(back)
      v.currentTime = pos
      if (v.paused) v.play().catch(() => undefined)
    },
    [instance, win],
  )

  const goLive = useCallback(() => {
    const v = videoRef.current
    if (!v) return
    setCatchUp(instance(), true, savedCatchUp)
    setDvr(false)
    const edge = instance()?.liveSyncPosition ?? (v.seekable.length ? v.seekable.end(v.seekable.length - 1) - 2 : null)
    if (edge != null && Number.isFinite(edge)) v.currentTime = edge
    if (v.paused) v.play().catch(() => undefined)
  }, [instance])

  const toggleFullscreen = useCallback(() => {
    const el = box.current
    if (!el) return
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined)
    else if (el.requestFullscreen) void el.requestFullscreen().catch(() => undefined)
  }, [])

  const behind = dvr || (latency != null && latency > (lowLatency ? BEHIND_LL_S : BEHIND_S))
  return (
    <div className="player player-live" ref={box} data-testid="live-player">
      <div className="player-stage" onClick={toggle} onDoubleClick={toggleFullscreen}>
        <video
          ref={videoRef}
          playsInline
          autoPlay
          muted={muted}
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => setPlaying(false)}
          onWaiting={() => setWaiting(true)}
          onPlaying={() => setWaiting(false)}
          onVolumeChange={(e) => setMuted(e.currentTarget.muted)}
          aria-label={title}
        />
        <div className="live-overlay">
          <span className="badge badge-live-live" data-testid="player-live-badge">
            <span className="live-dot" aria-hidden="true" />
            LIVE
          </span>
        </div>
        {(waiting || hls.retrying) && !hls.error && (
          <div className="live-waiting" aria-live="polite">
            {hls.retrying ? 'Waiting for the broadcast…' : <div className="spinner" aria-label="Loading" />}
          </div>
        )}
        {hls.error && (
          <div className="player-error" role="alert">
            {hls.error}
          </div>
        )}
      </div>
      <div className="controls">
        {win && win.end - win.start > 1 && (
          <div data-testid="live-seek" data-start={win.start.toFixed(2)} data-end={win.end.toFixed(2)} data-dvr={dvr ? '1' : ''}>
            <SeekBar
              current={win.current - win.start}
              duration={win.end - win.start}
              buffered={win.buffered - win.start}
              cues={[]}
              onSeek={seek}
            />
          </div>
        )}
        <div className="controls-row">
          <button type="button" className="ctl" aria-label={playing ? 'Pause' : 'Play'} title={playing ? 'Pause' : 'Play'} onClick={toggle} data-testid="play-button">
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
          <button
            type="button"
            className="ctl"
            aria-label={muted ? 'Unmute' : 'Mute'}
            title={muted ? 'Unmute' : 'Mute'}
            onClick={() => {
              const v = videoRef.current
              if (v) v.muted = !v.muted
            }}
          >
            <Icon name={muted ? 'muted' : 'volume'} />
          </button>
          <span className="time" data-testid="latency" data-latency={latency != null ? latency.toFixed(2) : ''}>
            {formatLatency(latency)}
          </span>
          <span className="spacer" />
          {behind && (
            <button type="button" className="ctl ctl-text" onClick={goLive} data-testid="go-live">
              Go live
            </button>
          )}
          <QualityMenu levels={hls.levels} selected={hls.selected} playing={hls.playing} onSelect={hls.setLevel} />
          <button type="button" className="ctl" aria-label="Full screen" title="Full screen" onClick={toggleFullscreen}>
            <Icon name="fullscreen" />
          </button>
        </div>
      </div>
    </div>
  )
}
