// useCaptionLines follows the caption track the player selected (a
// TextTrack hls.js created, kept "hidden" so the browser draws nothing
// under the controls) and returns the text of its active cues as plain
// lines for the player's own overlay.

import { useEffect, useState, type RefObject } from 'react'
import { cueText } from './captions'

export function useCaptionLines(videoRef: RefObject<HTMLVideoElement | null>, enabled: boolean): string[] {
  const [lines, setLines] = useState<string[]>([])
  useEffect(() => {
    const video = videoRef.current
    setLines([])
    if (!video || !enabled) return
    let current: TextTrack | undefined
    const onCue = () => {
      const out: string[] = []
      const active = current?.activeCues
      for (let i = 0; active && i < active.length; i++) {
        const cue = active[i] as VTTCue
        for (const l of cueText(cue.text ?? '').split('\n')) if (l.trim()) out.push(l)
      }
      setLines(out)
    }
    const pick = () => {
      let next: TextTrack | undefined
      for (let i = 0; i < video.textTracks.length; i++) {
        const t = video.textTracks[i]
        if ((t.kind === 'subtitles' || t.kind === 'captions') && t.mode !== 'disabled') next = t
      }
      if (next === current) return
      current?.removeEventListener('cuechange', onCue)
      current = next
      current?.addEventListener('cuechange', onCue)
      onCue()
    }
    pick()
    video.textTracks.addEventListener('change', pick)
    video.textTracks.addEventListener('addtrack', pick)
    return () => {
      video.textTracks.removeEventListener('change', pick)
      video.textTracks.removeEventListener('addtrack', pick)
      current?.removeEventListener('cuechange', onCue)
    }
  }, [videoRef, enabled])
  return lines
}
