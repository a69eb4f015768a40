// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type SessionView } from '../lib/api'
import { testUser } from '../test/session'
import { SignInPage } from './SignInPage'

const view: SessionView = { user: testUser('viewer'), scopes: ['read'], csrf_token: 'c' }

function fill(email: string, password: string) {
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: email } })
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } })
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
}

describe('SignInPage', () => {
  it('signs in with email and password', async () => {
    const client = { login: vi.fn().mockResolvedValue(view) }
    const onSignedIn = vi.fn()
    render(<SignInPage client={client} signup="closed" onSignedIn={onSignedIn} />)
    fill(' viewer@example.com ', 'correct horse')
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(view))
    expect(client.login).toHaveBeenCalledWith('viewer@example.com', 'correct horse')
  })

  it('shows the server message for wrong credentials', async () => {
    const client = { login: vi.fn().mockRejectedValue(new ApiError(401, 'wrong_credentials', 'Wrong email or password.')) }
    const onSignedIn = vi.fn()
    render(<SignInPage client={client} signup="closed" onSignedIn={onSignedIn} />)
    fill('a@example.com', 'nope')
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Wrong email or password.')
    expect(onSignedIn).not.toHaveBeenCalled()
    // The button is usable again for the next try.
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', false)
  })

  it('says how long a locked account waits', async () => {
    const err = new ApiError(429, 'rate_limited', 'This account is locked after too many wrong passwords. Try again later.', 900)
    render(<SignInPage client={{ login: vi.fn().mockRejectedValue(err) }} signup="closed" onSignedIn={vi.fn()} />)
    fill('a@example.com', 'whatever')
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'This account is locked after too many wrong passwords. Try again in 15 min.',
    )
  })

  it('asks for both fields before calling the server', async () => {
    const client = { login: vi.fn() }
    render(<SignInPage client={client} signup="closed" onSignedIn={vi.fn()} />)
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Enter your email address.')
    expect(client.login).not.toHaveBeenCalled()
  })

  it('links to sign-up only when it is open, and says when a session ended', () => {
    const { unmount } = render(<SignInPage client={{ login: vi.fn() }} signup="open" expired onSignedIn={vi.fn()} />)
    expect(screen.getByRole('link', { name: 'Create an account' }).getAttribute('href')).toBe('/signup')
    expect(screen.getByRole('status').textContent).toBe('Your session ended. Sign in again.')
    unmount()
    render(<SignInPage client={{ login: vi.fn() }} signup="invite" onSignedIn={vi.fn()} />)
    expect(screen.queryByRole('link', { name: 'Create an account' })).toBeNull()
  })
})
