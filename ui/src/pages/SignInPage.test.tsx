// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SignInPage } from './SignInPage'

afterEach(() => vi.unstubAllGlobals())

describe('SignInPage', () => {
  it('validates the key against the API before accepting it', async () => {
    const fetchMock = vi.fn().mockResolvedValue(new Response('{"videos":[]}', { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    const onSignedIn = vi.fn()
    render(<SignInPage onSignedIn={onSignedIn} />)
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: ' k123 ' } })
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith('k123'))
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/videos')
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBe('Bearer k123')
  })

  it('rejects a bad key', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('{"error":{"code":"unauthorized","message":"x"}}', { status: 401 })))
    const onSignedIn = vi.fn()
    render(<SignInPage onSignedIn={onSignedIn} />)
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: 'bad' } })
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'That key was not accepted.')
    expect(onSignedIn).not.toHaveBeenCalled()
  })
})
