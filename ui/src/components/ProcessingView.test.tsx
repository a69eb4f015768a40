// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { ProcessingView } from './ProcessingView'

describe('ProcessingView', () => {
  it('shows percent and time left while processing', () => {
    render(<ProcessingView video={{ id: 'a', title: 't', status: 'processing', progress: 0.42, eta_seconds: 30 }} onRetry={async () => {}} />)
    expect(screen.getByTestId('processing-percent').textContent).toBe('42%')
    expect(screen.getByText('30 s left')).toBeTruthy()
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('42')
  })

  it('shows the failure reason and retries', async () => {
    const onRetry = vi.fn().mockResolvedValue(undefined)
    render(<ProcessingView video={{ id: 'a', title: 't', status: 'failed', error: 'invalid data found when processing input' }} onRetry={onRetry} />)
    expect(screen.getByTestId('failure-reason').textContent).toBe('invalid data found when processing input')
    fireEvent.click(screen.getByRole('button', { name: /retry/i }))
    await waitFor(() => expect(onRetry).toHaveBeenCalledOnce())
  })

  it('reports a failed retry', async () => {
    render(<ProcessingView video={{ id: 'a', title: 't', status: 'failed' }} onRetry={() => Promise.reject(new Error('nope'))} />)
    fireEvent.click(screen.getByRole('button', { name: /retry/i }))
    expect(await screen.findByText('nope')).toBeTruthy()
  })

  it('offers no retry when the file itself is at fault (retryable false)', () => {
    render(
      <ProcessingView
        video={{ id: 'a', title: 't', status: 'failed', retryable: false, error: 'The file is not a media file kinema can read, or it is damaged.' }}
        onRetry={async () => {}}
      />,
    )
    expect(screen.getByTestId('failure-reason').textContent).toContain('not a media file')
    expect(screen.queryByRole('button', { name: /retry/i })).toBeNull()
  })

  it('offers no retry without onRetry (only admins may retry)', () => {
    render(<ProcessingView video={{ id: 'a', title: 't', status: 'failed', error: 'bad' }} />)
    expect(screen.getByTestId('failure-reason').textContent).toBe('bad')
    expect(screen.queryByRole('button', { name: /retry/i })).toBeNull()
  })

  it('links to the watch page when ready', () => {
    render(<ProcessingView video={{ id: 'a b', title: 't', status: 'ready' }} onRetry={async () => {}} />)
    expect(screen.getByRole('link', { name: /watch/i }).getAttribute('href')).toBe('/watch/a%20b')
  })
})
