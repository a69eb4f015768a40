// renderWithSession renders UI under a SessionContext with a fake API client
// and a signed-in user (an admin unless the test says otherwise).
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { vi } from 'vitest'
import type { Role, Scope, User } from '../lib/api'
import { SessionContext, type Session } from '../lib/session'

export function fakeClient() {
  return {
    listVideos: vi.fn(),
    getVideo: vi.fn(),
    createVideo: vi.fn(),
    updateVideo: vi.fn(),
    deleteVideo: vi.fn(),
    retryVideo: vi.fn(),
    setPosterTime: vi.fn(),
    uploadPoster: vi.fn(),
    resetPoster: vi.fn(),
    listAudio: vi.fn().mockResolvedValue([]),
    addAudio: vi.fn(),
    deleteAudio: vi.fn(),
    listLive: vi.fn(),
    getLive: vi.fn(),
    createLive: vi.fn(),
    endLive: vi.fn(),
    rotateLiveKey: vi.fn(),
    setLivePassphrase: vi.fn(),
    addRestream: vi.fn(),
    removeRestream: vi.fn(),
    deleteLive: vi.fn(),
    listUsers: vi.fn(),
    createUser: vi.fn(),
    updateUser: vi.fn(),
    deleteUser: vi.fn(),
    createInvite: vi.fn(),
    getSettings: vi.fn(),
    putSettings: vi.fn(),
    listKeys: vi.fn(),
    createKey: vi.fn(),
    revokeKey: vi.fn(),
    sendPlaybackEvents: vi.fn().mockResolvedValue(undefined),
    getVideoAnalytics: vi.fn(),
    getAnalytics: vi.fn(),
    jobsOverview: vi.fn(),
    listJobs: vi.fn(),
    retryJob: vi.fn(),
    adminStorage: vi.fn(),
    adminThroughput: vi.fn(),
    listWebhooks: vi.fn(),
    createWebhook: vi.fn(),
    deleteWebhook: vi.fn(),
    listWebhookDeliveries: vi.fn(),
    testWebhook: vi.fn(),
    getUser: vi.fn(),
    suggestUsers: vi.fn().mockResolvedValue([]),
    setUserQuota: vi.fn(),
  }
}

const SCOPES: Record<Role, Scope[]> = { admin: ['read', 'upload', 'admin'], uploader: ['read', 'upload'], viewer: ['read'] }

/** testUser is a user of role with the given id (usr_<role> by default). */
export function testUser(role: Role = 'admin', id = `usr_${role}`): User {
  return { id, email: `${role}@example.com`, name: role[0].toUpperCase() + role.slice(1), role, groups: [], disabled: false, created_at: '2026-01-01T00:00:00Z' }
}

/** renderWithSession signs in as an admin by default; role null renders for an anonymous visitor. */
export function renderWithSession(ui: ReactElement, client = fakeClient(), opts: { role?: Role | null; user?: User } = {}) {
  const role = opts.role === undefined ? 'admin' : opts.role
  const user = opts.user ?? (role ? testUser(role) : null)
  const session = {
    client,
    uploads: {} as never,
    user,
    scopes: user ? SCOPES[user.role] : [],
    signOut: vi.fn(),
  } as unknown as Session
  return { client, session, ...render(<SessionContext.Provider value={session}>{ui}</SessionContext.Provider>) }
}
