// App wires the session (API key → client + upload manager) and picks the
// page for the current path. Signing out, or any 401 from the API, drops the
// key and returns to the sign-in form.

import { useCallback, useMemo, useState } from 'react'
import * as tus from 'tus-js-client'
import { ApiClient } from './lib/api'
import { matchRoute, useLocation } from './lib/router'
import { clearKey, loadKey, saveKey, SessionContext, type Session } from './lib/session'
import { UploadManager } from './lib/uploads'
import { EmptyState } from './components/EmptyState'
import { Header } from './components/Header'
import { Link } from './components/Link'
import { EmbedPage } from './pages/EmbedPage'
import { LibraryPage } from './pages/LibraryPage'
import { LivePage } from './pages/LivePage'
import { SignInPage } from './pages/SignInPage'
import { StreamPage } from './pages/StreamPage'
import { UploadPage } from './pages/UploadPage'
import { WatchPage } from './pages/WatchPage'

export function App() {
  const { path } = useLocation()
  const route = matchRoute(path)
  const [token, setToken] = useState(loadKey)
  const [expired, setExpired] = useState(false)

  const signOut = useCallback(() => {
    clearKey()
    setToken('')
  }, [])

  const session = useMemo<Session | null>(() => {
    if (!token) return null
    const client = new ApiClient({
      token,
      onUnauthorized: () => {
        setExpired(true)
        signOut()
      },
    })
    return { client, uploads: new UploadManager(client, tus), signOut }
  }, [token, signOut])

  // The embed page plays signed URLs and must work for anyone, signed in or not.
  if (route.name === 'embed') return <EmbedPage />

  if (!session) {
    return (
      <SignInPage
        expired={expired}
        onSignedIn={(k) => {
          saveKey(k)
          setExpired(false)
          setToken(k)
        }}
      />
    )
  }

  return (
    <SessionContext.Provider value={session}>
      <Header />
      {route.name === 'library' && <LibraryPage />}
      {route.name === 'upload' && <UploadPage />}
      {route.name === 'watch' && <WatchPage key={route.id} id={route.id} />}
      {route.name === 'live' && <LivePage />}
      {route.name === 'stream' && <StreamPage key={route.id} id={route.id} />}
      {route.name === 'notfound' && (
        <main className="page">
          <EmptyState title="Page not found">
            <Link href="/" className="btn">
              Go to the library
            </Link>
          </EmptyState>
        </main>
      )}
    </SessionContext.Provider>
  )
}
