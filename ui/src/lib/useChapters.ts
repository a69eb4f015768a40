// useChapters fetches a video's WebVTT chapters track. Missing or broken
// chapters just mean none.

import { useEffect, useState } from 'react'
import { parseChapters, type Chapter } from './captions'

export function useChapters(url: string | undefined): Chapter[] {
  const [chapters, setChapters] = useState<Chapter[]>([])
  useEffect(() => {
    setChapters([])
    if (!url) return
    const ctrl = new AbortController()
    fetch(url, { signal: ctrl.signal })
      .then((r) => (r.ok ? r.text() : ''))
      .then((text) => setChapters(parseChapters(text)))
      .catch(() => undefined)
    return () => ctrl.abort()
  }, [url])
  return chapters
}
