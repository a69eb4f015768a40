// useStoryboard fetches and parses the storyboard VTT, then warms the sprite
// cache so the first hover already shows a picture. A missing or broken
// storyboard just means no thumbnails, never an error for the viewer.

import { useEffect, useState } from 'react'
import { parseStoryboard, type StoryboardCue } from './storyboard'

export function useStoryboard(url: string | undefined): StoryboardCue[] {
  const [cues, setCues] = useState<StoryboardCue[]>([])
  useEffect(() => {
    setCues([])
    if (!url) return
    const ctrl = new AbortController()
    fetch(url, { signal: ctrl.signal })
      .then((r) => (r.ok ? r.text() : ''))
      .then((text) => {
        const parsed = parseStoryboard(text, new URL(url, window.location.href).toString())
        setCues(parsed)
        for (const src of new Set(parsed.map((c) => c.url))) {
          const img = new Image()
          img.src = src
        }
      })
      .catch(() => undefined)
    return () => ctrl.abort()
  }, [url])
  return cues
}
