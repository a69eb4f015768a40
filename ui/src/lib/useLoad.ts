// useLoad: what load gives, loaded again whenever deps change (the load
// before is aborted), with the error of the last load, which the next
// success clears. An aborted load sets nothing. The setter lets a page
// put its own edits into the loaded value. errorText (lib/errors) turns
// the error into the page's sentence.

import { type DependencyList, type Dispatch, type SetStateAction, useEffect, useState } from 'react'

export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): [T | undefined, unknown, Dispatch<SetStateAction<T | undefined>>] {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    const ctrl = new AbortController()
    load(ctrl.signal).then(
      (d) => {
        if (ctrl.signal.aborted) return // a newer load owns the state
        setData(d)
        setError(undefined)
      },
      (e: unknown) => {
        if (!ctrl.signal.aborted) setError(e)
      },
    )
    return () => ctrl.abort()
  }, deps) // the caller's deps decide, not load's identity (a new closure each render)
  return [data, error, setData]
}
