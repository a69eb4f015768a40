// useLoad: what load gives, loaded again whenever deps change (the load
// before is aborted), with the error of the last load, which the next
// success clears. An aborted load sets nothing. The setter lets a page
// put its own edits into the loaded value.

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
        setData(d)
        setError(undefined)
      },
      (e: unknown) => {
        if (!ctrl.signal.aborted) setError(e)
      },
    )
    return () => ctrl.abort()
  }, deps) // eslint-disable-line react-hooks/exhaustive-deps
  return [data, error, setData]
}

/** errorText is an error's message for the page, '' for no error. */
export function errorText(e: unknown): string {
  if (e === undefined) return ''
  return e instanceof Error ? e.message : String(e)
}
