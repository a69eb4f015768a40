// The session every page reads: the API client, the upload manager and who
// is signed in. Signed-out visitors get one too, with user null, so public
// and unlisted videos play without an account. The server keeps the real
// session in an HttpOnly cookie; nothing here is stored in the browser.

import { createContext, useContext } from 'react'
import type { ApiClient, Scope, User, Video } from './api'
import type { UploadManager } from './uploads'

export interface Session {
  client: ApiClient
  uploads: UploadManager
  /** The signed-in user; null for an anonymous visitor. */
  user: User | null
  /** What the user's role allows (read, upload, admin). */
  scopes: Scope[]
  signOut: () => Promise<void>
}

export const SessionContext = createContext<Session | null>(null)

/** useSession is used below the App, which always provides a session. */
export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside SessionContext')
  return s
}

/** can reports whether the session holds scope; anonymous visitors hold none. */
export function can(s: Pick<Session, 'user' | 'scopes'>, scope: Scope): boolean {
  return !!s.user && s.scopes.includes(scope)
}

/** canEdit mirrors the server's rule: admins edit everything, uploaders their own videos. */
export function canEdit(s: Pick<Session, 'user' | 'scopes'>, v: Pick<Video, 'owner_id'>): boolean {
  if (!s.user) return false
  if (s.scopes.includes('admin')) return true
  return s.scopes.includes('upload') && !!v.owner_id && v.owner_id === s.user.id
}
