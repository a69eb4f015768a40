// The API key lives in localStorage so a reload keeps the user signed in.
// It is an admin credential: the sign-in page says so, and sign-out wipes it.

import { createContext, useContext } from 'react'
import type { ApiClient } from './api'
import type { UploadManager } from './uploads'

const KEY = 'kinema.apiKey'

export function loadKey(): string {
  try {
    return localStorage.getItem(KEY) ?? ''
  } catch {
    return ''
  }
}

export function saveKey(key: string): void {
  try {
    localStorage.setItem(KEY, key)
  } catch {
    // Private mode: the session lasts until reload.
  }
}

export function clearKey(): void {
  try {
    localStorage.removeItem(KEY)
  } catch {
    // nothing stored
  }
}

export interface Session {
  client: ApiClient
  uploads: UploadManager
  signOut: () => void
}

export const SessionContext = createContext<Session | null>(null)

/** useSession is only used below the sign-in gate, where a session always exists. */
export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside SessionContext')
  return s
}
