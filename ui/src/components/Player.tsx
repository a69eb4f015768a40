// Player: a <video> with custom controls so the quality menu, storyboard
// seek previews and shortcuts look and behave the same in every browser.

import { useCallback, useContext, useEffect, useRef, useState } from 'react'
import { formatDuration } from '../lib/format'
import { isTypingTarget, SEEK_STEP, shortcutFor } from '../lib/keyboard'
import { useBeacon } from '../lib/beacon'
import { ApiClient } from '../lib/api'
import { SessionContext } from '../lib/session'
import { useHls } from '../lib/useHls'
import { useStoryboard } from '../lib/useStoryboard'
import { AudioMenu } from './AudioMenu'
import { CAPTIONS_OFF, siblingURL } from '../lib/captions'
import { useCaptionLines } from '../lib/useCaptionLines'
import { useChapters } from '../lib/useChapters'
import { AudioVisual } from './AudioVisual'
import { CaptionsMenu } from './CaptionsMenu'
import { Icon } from './Icon'
import { QualityMenu } from './QualityMenu'
import { SeekBar } from './SeekBar'
import { SpeedMenu } from './SpeedMenu'

export interface PlayerProps {
  src: string
  poster?: string
  storyboard?: string
  /** WebVTT chapters track; by default chapters.vtt next to src. */
  chapters?: string
  audio?: boolean
  title?: string
  /** Known duration from the API, shown before metadata loads. */
  duration?: number
  /** Embed options: start at this second, start playing, start muted, play again at the end. */
  startTime?: number
  autoPlay?: boolean
  startMuted?: boolean
  loop?: boolean
  /** The video's id, for the analytics beacon (none: nothing is reported). */
  videoId?: string
}

/** bufferedEnd is the end of the buffered range that holds t. */
function bufferedEnd(v: HTMLVideoElement): number {
  for (let i = 0; i < v.buffered.length; i++) {
    if (v.buffered.start(i) <= v.currentTime + 0.5 && v.currentTime <= v.buffered.end(i)) return v.buffered.end(i)
  }
  return 0
}

let anonymous: ApiClient | undefined
function anonymousClient(): ApiClient {
  anonymous ??= new ApiClient({ fetch: (input, init) => fetch(input, { ...init, credentials: 'omit' }) })
  return anonymous
}

export function Player({ src, poster, storyboard, chapters: chaptersURL, audio = false, title, duration: knownDuration, startTime, autoPlay, startMuted, loop, videoId }: PlayerProps) {
  const box = useRef<HTMLDivElement>(null)
  const videoRef = useRef<HTMLVideoElement>(null)
  const hls = useHls(videoRef, src)
  // Embeds have no session: their beacon goes out anonymously.
  const client = useContext(SessionContext)?.client ?? anonymousClient()
  useBeacon(
    videoRef,
    videoId,
    (events, final) => void client.sendPlaybackEvents(videoId!, events, final).catch(() => undefined),
    () => {
      const l = hls.levels[hls.playing]
      return l ? { height: l.height ?? 0, bitrate: l.bitrate ?? 0 } : { height: audio ? 0 : (videoRef.current?.videoHeight ?? 0), bitrate: 0 }
    },
    hls.error,
  )
  const cues = useStoryboard(audio ? undefined : storyboard)
  const chapters = useChapters(chaptersURL ?? siblingURL(src, 'chapters.vtt'))
  const captionLines = useCaptionLines(videoRef, hls.subtitle !== CAPTIONS_OFF)
  const [playing, setPlaying] = useState(false)
  const [started, setStarted] = useState(false)
  const [waiting, setWaiting] = useState(false)
  const [muted, setMuted] = useState(false)
  const [time, setTime] = useState(0)
  const [duration, setDuration] = useState(knownDuration ?? 0)
  const [buffered, setBuffered] = useState(0)
  const [fullscreen, setFullscreen] = useState(false)
  const [rate, setRate] = useState(1)
  const [pip, setPip] = useState(false)

  // wantPlay is the viewer's last request, which an interrupted play() must
  // not forget (see toggle).
  const wantPlay = useRef(false)
  const toggle = useCallback(() => {
    const v = videoRef.current
    if (!v) return
    // play() rejects when blocked by autoplay policy or interrupted: by a
    // pause, or by hls.js (re)loading the media source just then. The UI
    // state follows the media events; if the viewer still wants playback
    // after an interruption, try again once the media can play.
    if (v.paused || v.ended) {
      wantPlay.current = true
      v.play().catch((e: unknown) => {
        if (e instanceof DOMException && e.name === 'AbortError') {
          v.addEventListener('canplay', () => wantPlay.current && v.paused && void v.play().catch(() => undefined), { once: true })
        }
      })
    } else {
      wantPlay.current = false
      v.pause()
    }
  }, [])

  const seek = useCallback((t: number) => {
    const v = videoRef.current
    if (!v) return
    const d = Number.isFinite(v.duration) ? v.duration : t
    v.currentTime = Math.min(Math.max(t, 0), d)
    setTime(v.currentTime)
  }, [])

  const toggleMute = useCallback(() => {
    const v = videoRef.current
    if (v) v.muted = !v.muted
  }, [])

  const toggleFullscreen = useCallback(() => {
    const el = box.current
    const v = videoRef.current as (HTMLVideoElement & { webkitEnterFullscreen?: () => void }) | null
    if (!el) return
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined)
    } else if (el.requestFullscreen) {
      void el.requestFullscreen().catch(() => undefined)
    } else {
      v?.webkitEnterFullscreen?.() // iPhone: only the video element can go full screen
    }
  }, [])

  // Embed options. Browsers allow autoplay only when muted unless the
  // viewer has interacted with the site, so a refused play() retries muted.
  useEffect(() => {
    const v = videoRef.current
    if (!v) return
    if (startMuted) v.muted = true
    if (startTime && startTime > 0) {
      const at = startTime
      const jump = () => {
        if (v.currentTime < at) v.currentTime = at
      }
      if (v.readyState >= 1) jump()
      else v.addEventListener('loadedmetadata', jump, { once: true })
    }
    if (autoPlay) {
      wantPlay.current = true
      v.play().catch(() => {
        if (!wantPlay.current) return
        v.muted = true
        void v.play().catch(() => undefined)
      })
    }
  }, [src]) // eslint-disable-line react-hooks/exhaustive-deps

  const changeRate = useCallback((r: number) => {
    const v = videoRef.current
    if (v) v.playbackRate = r
    setRate(r)
  }, [])

  const pipSupported = !audio && typeof document !== 'undefined' && document.pictureInPictureEnabled === true
  useEffect(() => {
    const v = videoRef.current
    if (!v) return
    const on = () => setPip(true)
    const off = () => setPip(false)
    v.addEventListener('enterpictureinpicture', on)
    v.addEventListener('leavepictureinpicture', off)
    return () => {
      v.removeEventListener('enterpictureinpicture', on)
      v.removeEventListener('leavepictureinpicture', off)
    }
  }, [])
  const togglePip = useCallback(() => {
    const v = videoRef.current
    if (!v) return
    if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => undefined)
    else void v.requestPictureInPicture().catch(() => undefined)
  }, [])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return
      const action = shortcutFor(e)
      if (!action) return
      // Space on a focused button would also "click" it and toggle twice.
      e.preventDefault()
      const v = videoRef.current
      switch (action) {
        case 'toggle':
          return toggle()
        case 'fullscreen':
          return toggleFullscreen()
        case 'mute':
          return toggleMute()
        case 'back':
          return v && seek(v.currentTime - SEEK_STEP)
        case 'forward':
          return v && seek(v.currentTime + SEEK_STEP)
      }
    }
    const onFs = () => setFullscreen(document.fullscreenElement === box.current)
    document.addEventListener('keydown', onKey)
    document.addEventListener('fullscreenchange', onFs)
    return () => {
      document.removeEventListener('keydown', onKey)
      document.removeEventListener('fullscreenchange', onFs)
    }
  }, [toggle, toggleFullscreen, toggleMute, seek])

  const sync = () => {
    const v = videoRef.current
    if (!v) return
    setTime(v.currentTime)
    setBuffered(bufferedEnd(v))
    if (Number.isFinite(v.duration) && v.duration > 0) setDuration(v.duration)
  }

  return (
    <div className={`player${fullscreen ? ' is-fullscreen' : ''}${audio ? ' is-audio' : ''}`} ref={box} data-testid="player">
      <div className="player-stage" onClick={toggle} onDoubleClick={toggleFullscreen}>
        <video
          ref={videoRef}
          playsInline
          preload="metadata"
          loop={loop}
          onRateChange={(e) => setRate(e.currentTarget.playbackRate)}
          poster={audio ? undefined : poster}
          onPlay={() => {
            setPlaying(true)
            setStarted(true)
          }}
          onPause={() => setPlaying(false)}
          onEnded={() => setPlaying(false)}
          onWaiting={() => setWaiting(true)}
          onPlaying={() => setWaiting(false)}
          onCanPlay={() => setWaiting(false)}
          onTimeUpdate={sync}
          onProgress={sync}
          onLoadedMetadata={sync}
          onDurationChange={sync}
          onVolumeChange={(e) => setMuted(e.currentTarget.muted)}
          aria-label={title}
        />
        {audio && <AudioVisual poster={poster} playing={playing} title={title} />}
        {captionLines.length > 0 && (
          <div className="captions" data-testid="captions" aria-live="polite">
            {captionLines.map((l, i) => (
              <span key={i}>{l}</span>
            ))}
          </div>
        )}
        {!playing && !hls.error && (
          <button
            type="button"
            className={`big-play${started ? ' subtle' : ''}`}
            aria-label="Play"
            onClick={(e) => {
              e.stopPropagation()
              toggle()
            }}
          >
            <Icon name="play" size={36} />
          </button>
        )}
        {waiting && playing && <div className="spinner" aria-label="Loading" />}
        {hls.error && (
          <div className="player-error" role="alert">
            {hls.error}
          </div>
        )}
      </div>
      <div className="controls">
        <SeekBar current={time} duration={duration} buffered={buffered} cues={cues} chapters={chapters} onSeek={seek} />
        <div className="controls-row">
          <button type="button" className="ctl" aria-label={playing ? 'Pause (k)' : 'Play (k)'} title={playing ? 'Pause (k)' : 'Play (k)'} onClick={toggle} data-testid="play-button">
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
          <button type="button" className="ctl" aria-label={muted ? 'Unmute (m)' : 'Mute (m)'} title={muted ? 'Unmute (m)' : 'Mute (m)'} onClick={toggleMute}>
            <Icon name={muted ? 'muted' : 'volume'} />
          </button>
          <span className="time" data-testid="time">
            {formatDuration(time)} / {formatDuration(duration)}
          </span>
          <span className="spacer" />
          <AudioMenu tracks={hls.audioTracks} current={hls.audioTrack} onSelect={hls.setAudioTrack} />
          <CaptionsMenu tracks={hls.subtitles} selected={hls.subtitle} onSelect={hls.setSubtitle} />
          <QualityMenu levels={hls.levels} selected={hls.selected} playing={hls.playing} onSelect={hls.setLevel} />
          <SpeedMenu rate={rate} onSelect={changeRate} />
          {pipSupported && (
            <button type="button" className="ctl" aria-label={pip ? 'Exit picture-in-picture' : 'Picture-in-picture'} title="Picture-in-picture" aria-pressed={pip} onClick={togglePip}>
              <Icon name="pip" />
            </button>
          )}
          <button type="button" className="ctl" aria-label="Full screen (f)" title="Full screen (f)" onClick={toggleFullscreen}>
            <Icon name="fullscreen" />
          </button>
        </div>
      </div>
    </div>
  )
}
