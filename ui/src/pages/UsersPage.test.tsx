// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ApiError, type User } from '../lib/api'
import { fakeClient, renderWithSession, testUser } from '../test/session'
import { UsersPage } from './UsersPage'

function setup() {
  const client = fakeClient()
  const admin = testUser('admin')
  const viewer = testUser('viewer')
  client.listUsers.mockResolvedValue([admin, viewer])
  client.getSettings.mockResolvedValue({ signup: 'closed', default_role: 'viewer' })
  renderWithSession(<UsersPage />, client, { user: admin })
  const row = async (email: string) => within((await screen.findAllByTestId('user-row')).find((r) => r.dataset.email === email)!)
  return { client, admin, viewer, row }
}

describe('UsersPage', () => {
  it('changes a role and shows the last-admin refusal', async () => {
    const { client, row } = setup()
    client.updateUser.mockImplementation(async (id: string, p: Partial<User>) => {
      if (id === 'usr_admin') throw new ApiError(400, 'invalid', 'This is the last admin account; make another admin first.')
      return { ...testUser('viewer'), ...p }
    })
    const v = await row('viewer@example.com')
    fireEvent.change(v.getByLabelText('Role of viewer@example.com'), { target: { value: 'uploader' } })
    expect(client.updateUser).not.toHaveBeenCalled() // nothing happens until Save
    fireEvent.click(v.getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(client.updateUser).toHaveBeenCalledWith('usr_viewer', { role: 'uploader' }))
    await waitFor(() => expect((v.getByLabelText('Role of viewer@example.com') as HTMLSelectElement).value).toBe('uploader'))

    const a = await row('admin@example.com')
    expect(a.getByText(/· you/)).toBeTruthy()
    fireEvent.change(a.getByLabelText('Role of admin@example.com'), { target: { value: 'viewer' } })
    fireEvent.click(a.getByRole('button', { name: 'Save changes' }))
    expect((await a.findByRole('alert')).textContent).toBe('This is the last admin account; make another admin first.')
    expect((a.getByLabelText('Role of admin@example.com') as HTMLSelectElement).value).toBe('admin')
    // Your own row cannot disable or delete itself.
    expect(a.queryByRole('button', { name: 'Disable' })).toBeNull()
    expect(a.queryByRole('button', { name: 'Delete admin@example.com' })).toBeNull()
  })

  it('deletes after confirmation and disables', async () => {
    const { client, row } = setup()
    client.deleteUser.mockResolvedValue(undefined)
    client.updateUser.mockResolvedValue({ ...testUser('viewer'), disabled: true })
    const v = await row('viewer@example.com')
    fireEvent.click(v.getByRole('button', { name: 'Disable' }))
    await waitFor(() => expect(client.updateUser).toHaveBeenCalledWith('usr_viewer', { disabled: true }))
    expect(await v.findByRole('button', { name: 'Enable' })).toBeTruthy()
    fireEvent.click(v.getByRole('button', { name: 'Delete viewer@example.com' }))
    expect(client.deleteUser).not.toHaveBeenCalled()
    fireEvent.click(v.getByRole('button', { name: 'Confirm delete viewer@example.com' }))
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(1))
  })

  it('adds a user and reports a taken email', async () => {
    const { client } = setup()
    client.createUser
      .mockRejectedValueOnce(new ApiError(409, 'email_taken', 'An account with this email exists already.'))
      .mockResolvedValueOnce(testUser('uploader'))
    const form = within(await screen.findByRole('form', { name: 'Add a user' }))
    fireEvent.change(form.getByLabelText('Email'), { target: { value: 'uploader@example.com' } })
    fireEvent.change(form.getByLabelText('Password'), { target: { value: 'long-enough-pw' } })
    fireEvent.change(form.getByLabelText('Role'), { target: { value: 'uploader' } })
    fireEvent.change(form.getByLabelText('Groups'), { target: { value: 'staff' } })
    fireEvent.click(form.getByRole('button', { name: 'Add user' }))
    expect((await form.findByRole('alert')).textContent).toBe('An account with this email exists already.')
    fireEvent.click(form.getByRole('button', { name: 'Add user' }))
    expect((await form.findByRole('status')).textContent).toBe('Added uploader@example.com.')
    expect(client.createUser).toHaveBeenLastCalledWith({ email: 'uploader@example.com', name: '', password: 'long-enough-pw', role: 'uploader', groups: ['staff'] })
    await waitFor(() => expect(screen.getAllByTestId('user-row')).toHaveLength(3))
  })

  it('shows a new invite link once', async () => {
    const { client } = setup()
    const url = 'http://h/signup?invite=CODE'
    client.createInvite.mockResolvedValue({ code: 'CODE', role: 'viewer', expires_at: new Date(Date.now() + 7 * 86400e3).toISOString(), url })
    const form = within(await screen.findByRole('form', { name: 'Invite someone' }))
    fireEvent.click(form.getByRole('button', { name: 'Create invite link' }))
    expect(await form.findByDisplayValue(url)).toBeTruthy()
    expect(client.createInvite).toHaveBeenCalledWith('viewer', 168)
    expect(form.getByText(/not shown\s+again/)).toBeTruthy()
  })

  it('saves the sign-up settings', async () => {
    const { client } = setup()
    client.putSettings.mockResolvedValue({ signup: 'open', default_role: 'uploader' })
    const form = within(await screen.findByRole('form', { name: 'Sign-up' }))
    fireEvent.change(await form.findByLabelText('Who may sign up'), { target: { value: 'open' } })
    fireEvent.change(form.getByLabelText('Role of new sign-ups'), { target: { value: 'uploader' } })
    fireEvent.click(form.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(client.putSettings).toHaveBeenCalledWith({ signup: 'open', default_role: 'uploader' }))
    expect((await form.findByRole('status')).textContent).toBe('Saved.')
  })
})
