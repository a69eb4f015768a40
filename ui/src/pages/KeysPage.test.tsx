// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ApiError, type ApiKey } from '../lib/api'
import { fakeClient, renderWithSession } from '../test/session'
import { KeysPage } from './KeysPage'

const old: ApiKey = { id: 'k1', name: 'backup', scopes: ['read'], created_at: '2026-01-01T00:00:00Z' }

describe('KeysPage', () => {
  it('offers only the user’s own scopes and shows a new secret once', async () => {
    const client = fakeClient()
    client.listKeys.mockResolvedValue([old])
    client.createKey.mockResolvedValue({ key: { id: 'k2', name: 'ci', scopes: ['read', 'upload'], created_at: '2026-02-01T00:00:00Z' }, secret: 'kin_s3cret' })
    renderWithSession(<KeysPage />, client, { role: 'uploader' })
    expect(await screen.findByText('backup')).toBeTruthy()
    const boxes = screen.getAllByRole('checkbox')
    expect(boxes.map((b) => b.parentElement!.textContent)).toEqual([expect.stringMatching(/^read/), expect.stringMatching(/^upload/)])
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'ci' } })
    fireEvent.click(boxes[1])
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }))
    await waitFor(() => expect(client.createKey).toHaveBeenCalledWith('ci', ['read', 'upload']))
    expect(await screen.findByDisplayValue('kin_s3cret')).toBeTruthy()
    expect(screen.getAllByTestId('key-row')).toHaveLength(2)
  })

  it('revokes after confirmation and shows errors', async () => {
    const client = fakeClient()
    client.listKeys.mockResolvedValue([old])
    client.revokeKey.mockResolvedValue(undefined)
    client.createKey.mockRejectedValue(new ApiError(403, 'forbidden', 'You may not do that.'))
    renderWithSession(<KeysPage />, client, { role: 'viewer' })
    const row = within(await screen.findByTestId('key-row'))
    fireEvent.click(row.getByRole('button', { name: 'Revoke backup' }))
    fireEvent.click(row.getByRole('button', { name: 'Confirm revoke backup' }))
    await waitFor(() => expect(client.revokeKey).toHaveBeenCalledWith('k1'))
    expect(await row.findByText('Revoked')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/Give the key a name/)
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'x' } })
    fireEvent.click(screen.getByRole('button', { name: 'Create key' }))
    expect((await screen.findByRole('alert')).textContent).toBe('You may not do that.')
  })
})
