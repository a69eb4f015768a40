// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type SessionView } from '../lib/api'
import { testUser } from '../test/session'
import { SetupPage } from './SetupPage'
import { SignUpPage } from './SignUpPage'

const view: SessionView = { user: testUser('admin'), scopes: ['read', 'upload', 'admin'], csrf_token: 'c' }

function fill(email: string, name: string, password: string, button: string) {
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: email } })
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: name } })
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } })
  fireEvent.click(screen.getByRole('button', { name: button }))
}

describe('SetupPage', () => {
  it('creates the admin account', async () => {
    const client = { signup: vi.fn().mockResolvedValue(view) }
    const onSignedIn = vi.fn()
    render(<SetupPage client={client} onSignedIn={onSignedIn} />)
    expect(screen.getByRole('heading', { name: 'Create the admin account' })).toBeTruthy()
    fill('admin@example.com', ' Ada ', 'correct-horse', 'Create admin account')
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(view))
    expect(client.signup).toHaveBeenCalledWith({ email: 'admin@example.com', name: 'Ada', password: 'correct-horse' })
  })

  it('wants at least 10 characters of password', async () => {
    const client = { signup: vi.fn() }
    render(<SetupPage client={client} onSignedIn={vi.fn()} />)
    fill('admin@example.com', 'Ada', 'short', 'Create admin account')
    expect((await screen.findByRole('alert')).textContent).toBe('Use at least 10 characters for the password.')
    expect(client.signup).not.toHaveBeenCalled()
  })
})

describe('SignUpPage', () => {
  it('sends the invite code from the link', async () => {
    const client = { signup: vi.fn().mockResolvedValue(view) }
    render(<SignUpPage client={client} signup="closed" invite="INV123" onSignedIn={vi.fn()} />)
    expect(screen.getByText('You were invited to this kinema server.')).toBeTruthy()
    fill('v@example.com', 'Vi', 'long-enough-pw', 'Create account')
    await waitFor(() =>
      expect(client.signup).toHaveBeenCalledWith({ email: 'v@example.com', name: 'Vi', password: 'long-enough-pw', invite: 'INV123' }),
    )
  })

  it.each([
    [new ApiError(409, 'email_taken', 'An account with this email exists already.'), 'An account with this email exists already.'],
    [new ApiError(400, 'invalid', 'Enter a valid email address.'), 'Enter a valid email address.'],
    [new ApiError(403, 'forbidden', 'You may not do that.'), 'Sign-up is closed on this server. Ask an admin for an invite.'],
  ])('shows why the server refused (%s)', async (err, text) => {
    render(<SignUpPage client={{ signup: vi.fn().mockRejectedValue(err) }} signup="open" invite="" onSignedIn={vi.fn()} />)
    fill('v@example.com', 'Vi', 'long-enough-pw', 'Create account')
    expect((await screen.findByRole('alert')).textContent).toBe(text)
  })

  it('says sign-up is closed without an invite', () => {
    render(<SignUpPage client={{ signup: vi.fn() }} signup="invite" invite="" onSignedIn={vi.fn()} />)
    expect(screen.getByRole('heading', { name: 'Sign-up is closed' })).toBeTruthy()
    expect(screen.queryByLabelText('Password')).toBeNull()
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/signin')
  })
})
