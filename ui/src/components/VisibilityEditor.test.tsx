// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ApiError, type Video } from '../lib/api'
import { fakeClient, renderWithSession, testUser } from '../test/session'
import { WatchPage } from '../pages/WatchPage'

const mine: Video = { id: 'v1', title: 'Mine', status: 'processing', owner_id: 'usr_uploader', visibility: 'private', allowed_users: [], allowed_groups: [] }

describe('visibility on the watch page', () => {
  it('is editable by the owner, who picks people from suggestions, never the user list', async () => {
    const client = fakeClient()
    client.getVideo.mockResolvedValue(mine)
    client.updateVideo.mockImplementation(async (_id: string, p: Partial<Video>) => ({ ...mine, ...p }))
    const mate = { id: 'usr_ab12', email: 'mate@example.com', name: 'Mate' }
    client.suggestUsers.mockImplementation(async (q: string) => (q === '' || 'mate@example.com'.startsWith(q) ? [mate] : []))
    renderWithSession(<WatchPage id="v1" />, client, { role: 'uploader' })
    await screen.findByRole('heading', { name: 'Mine' })
    fireEvent.change(screen.getByLabelText('Visibility'), { target: { value: 'restricted' } })
    fireEvent.change(screen.getByLabelText('Groups'), { target: { value: 'Staff, students' } })
    await waitFor(() => expect(client.suggestUsers).toHaveBeenCalledWith('', expect.anything()))
    await waitFor(() => expect(screen.getByTestId('people-suggestions').querySelectorAll('option')).toHaveLength(1))
    fireEvent.change(screen.getByLabelText('People'), { target: { value: 'stranger@example.com' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect((await screen.findByRole('alert')).textContent).toContain('Type the whole email')
    fireEvent.change(screen.getByLabelText('People'), { target: { value: 'Mate@example.com' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect(await screen.findByRole('button', { name: 'Remove mate@example.com' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() =>
      expect(client.updateVideo).toHaveBeenCalledWith('v1', {
        visibility: 'restricted',
        allowed_groups: ['staff', 'students'],
        allowed_users: ['usr_ab12'],
      }),
    )
    expect((await screen.findByRole('status')).textContent).toBe('Saved.')
    expect(client.listUsers).not.toHaveBeenCalled()
  })

  it('lets an admin pick people by email', async () => {
    const client = fakeClient()
    client.getVideo.mockResolvedValue({ ...mine, owner_id: 'usr_someone' })
    client.listUsers.mockResolvedValue([testUser('viewer', 'usr_0a'), testUser('uploader', 'usr_0b')])
    client.updateVideo.mockImplementation(async (_id: string, p: Partial<Video>) => ({ ...mine, ...p }))
    renderWithSession(<WatchPage id="v1" />, client, { role: 'admin' })
    await screen.findByRole('heading', { name: 'Mine' })
    fireEvent.change(screen.getByLabelText('Visibility'), { target: { value: 'restricted' } })
    await waitFor(() => expect(client.listUsers).toHaveBeenCalled())
    fireEvent.change(screen.getByLabelText('People'), { target: { value: 'nobody@example.com' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect((await screen.findByRole('alert')).textContent).toBe('No account has the email nobody@example.com.')
    fireEvent.change(screen.getByLabelText('People'), { target: { value: 'Viewer@example.com' } })
    fireEvent.click(screen.getByRole('button', { name: 'Add' }))
    expect(screen.getByRole('button', { name: 'Remove viewer@example.com' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(client.updateVideo).toHaveBeenCalledWith('v1', { visibility: 'restricted', allowed_groups: [], allowed_users: ['usr_0a'] }))
  })

  it('shows the server refusal', async () => {
    const client = fakeClient()
    client.getVideo.mockResolvedValue(mine)
    client.updateVideo.mockRejectedValue(new ApiError(403, 'forbidden', 'You may not do that.'))
    renderWithSession(<WatchPage id="v1" />, client, { role: 'uploader' })
    await screen.findByRole('heading', { name: 'Mine' })
    fireEvent.change(screen.getByLabelText('Visibility'), { target: { value: 'public' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    expect((await screen.findByRole('alert')).textContent).toBe('You may not do that.')
  })

  it('is not offered to others, nor retry to non-admins', async () => {
    const client = fakeClient()
    client.getVideo.mockResolvedValue({ ...mine, owner_id: 'usr_someone', status: 'failed', error: 'bad input', visibility: 'public' })
    renderWithSession(<WatchPage id="v1" />, client, { role: 'uploader' })
    await screen.findByRole('heading', { name: 'Mine' })
    expect(screen.queryByLabelText('Visibility')).toBeNull()
    expect(screen.queryByRole('button', { name: /retry/i })).toBeNull()
    expect(screen.getByTestId('visibility').textContent).toBe('Public')
  })

  it('says not found to a signed-out visitor, with a way to sign in', async () => {
    window.history.replaceState(null, '', '/watch/v1')
    const client = fakeClient()
    client.getVideo.mockRejectedValue(new ApiError(404, 'not_found', 'Not found.'))
    renderWithSession(<WatchPage id="v1" />, client, { role: null })
    expect(await screen.findByRole('heading', { name: 'Video not found' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/signin?next=%2Fwatch%2Fv1')
  })
})
