// renderWithSession renders UI under a SessionContext with a fake API client.
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { vi } from 'vitest'
import { SessionContext, type Session } from '../lib/session'

export function fakeClient() {
  return {
    listVideos: vi.fn(),
    getVideo: vi.fn(),
    createVideo: vi.fn(),
    deleteVideo: vi.fn(),
    retryVideo: vi.fn(),
    listLive: vi.fn(),
    getLive: vi.fn(),
    createLive: vi.fn(),
  }
}

export function renderWithSession(ui: ReactElement, client = fakeClient()) {
  const session = { client, uploads: {} as never, signOut: vi.fn() } as unknown as Session
  return { client, session, ...render(<SessionContext.Provider value={session}>{ui}</SessionContext.Provider>) }
}
