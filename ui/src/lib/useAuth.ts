// useAuth owns the sign-in state. On load it asks the server how one may
// sign in (GET /auth/setup: first-run setup, open or invite-only sign-up)
// and whether this browser holds a session, and only then who is signed in
// (GET /auth/session).
// The one ApiClient lives as long as the page and holds the CSRF token.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ApiClient, ApiError, asApiError, type FetchFunc, type SessionView, type SetupInfo } from './api'

export type AuthState =
  | { phase: 'loading' }
  /** The server could not be asked; retry() asks again. */
  | { phase: 'error'; error: ApiError }
  /** expired: a session ended under the user (timed out, revoked, disabled). */
  | { phase: 'signedOut'; setup: SetupInfo; expired: boolean }
  | { phase: 'signedIn'; view: SessionView }

export interface Auth {
  state: AuthState
  client: ApiClient
  /** signedIn takes the answer of login or sign-up. */
  signedIn: (view: SessionView) => void
  signOut: () => Promise<void>
  retry: () => void
}

export function useAuth(fetchFn?: FetchFunc): Auth {
  const [state, setState] = useState<AuthState>({ phase: 'loading' })
  // The client outlives renders; its 401 hook reaches the latest load.
  const onUnauthorized = useRef<() => void>(() => undefined)
  const client = useMemo(() => new ApiClient({ fetch: fetchFn, onUnauthorized: () => onUnauthorized.current() }), [fetchFn])

  const load = useCallback(
    async (expired: boolean) => {
      // The setup answer says whether the browser holds a live session, so
      // a signed-out visitor's page asks nothing that fails (a 401 would
      // show in the browser's console). Without it (an older server, or no
      // answer), the session is asked as before.
      let setup: SetupInfo | undefined
      try {
        setup = await client.setupInfo()
      } catch {
        // asked again below if nobody is signed in
      }
      if (setup?.session !== false) {
        try {
          setState({ phase: 'signedIn', view: await client.session() })
          return
        } catch (err) {
          if (!(err instanceof ApiError) || err.status !== 401) {
            setState({ phase: 'error', error: asApiError(err) })
            return
          }
        }
      }
      try {
        setState({ phase: 'signedOut', setup: setup ?? (await client.setupInfo()), expired })
      } catch (err) {
        setState({ phase: 'error', error: asApiError(err) })
      }
    },
    [client],
  )

  const signedInNow = state.phase === 'signedIn'
  useEffect(() => {
    onUnauthorized.current = () => {
      // Only a signed-in user can lose a session; anonymous 401s are answers.
      if (signedInNow) void load(true)
    }
  }, [load, signedInNow])

  useEffect(() => {
    void load(false)
  }, [load])

  const signedIn = useCallback((view: SessionView) => setState({ phase: 'signedIn', view }), [])

  const signOut = useCallback(async () => {
    try {
      await client.logout()
    } catch {
      // Signed out already, or the server is unreachable: ask again below.
    }
    await load(false)
  }, [client, load])

  const retry = useCallback(() => {
    setState({ phase: 'loading' })
    void load(false)
  }, [load])

  return { state, client, signedIn, signOut, retry }
}
