// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiError, type LiveStream } from '../lib/api'
import { fakeClient, renderWithSession } from '../test/session'
import { LivePage } from './LivePage'

const base = { stream_key: 'k', connected: false, video_id: '' }
const streams: LiveStream[] = [
  { ...base, id: 'c', title: 'On air', status: 'live', connected: true },
  { ...base, id: 'b', title: 'Soon', status: 'idle' },
  { ...base, id: 'a', title: 'Yesterday', status: 'ended', video_id: 'v9' },
]

beforeEach(() => {
  window.history.replaceState(null, '', '/streams')
  window.scrollTo = () => undefined // jsdom does not implement it; navigate() calls it
})

describe('LivePage', () => {
  it('lists streams with their status badges', async () => {
    const client = fakeClient()
    client.listLive.mockResolvedValue(streams)
    renderWithSession(<LivePage />, client)
    expect(await screen.findByText('On air')).toBeTruthy()
    const items = screen.getAllByTestId('live-item')
    expect(items.map((i) => i.querySelector('[data-testid="live-badge"]')!.textContent)).toEqual(['LIVE', 'Idle', 'Ended'])
    expect(screen.getByRole('link', { name: 'On air' }).getAttribute('href')).toBe('/streams/c')
    expect(screen.getByRole('link', { name: 'Recording' }).getAttribute('href')).toBe('/watch/v9')
  })

  it('creates a stream and opens it', async () => {
    const client = fakeClient()
    client.listLive.mockResolvedValue([])
    client.createLive.mockResolvedValue({ ...base, id: 'new 1', title: 'Stand-up', status: 'idle' })
    renderWithSession(<LivePage />, client)
    expect(await screen.findByText('No live streams yet')).toBeTruthy()
    fireEvent.change(screen.getByLabelText('New live stream'), { target: { value: '  Stand-up ' } })
    fireEvent.click(screen.getByRole('button', { name: 'Create stream' }))
    await waitFor(() => expect(window.location.pathname).toBe('/streams/new%201'))
    expect(client.createLive).toHaveBeenCalledWith('Stand-up')
  })

  it('shows a failed create', async () => {
    const client = fakeClient()
    client.listLive.mockResolvedValue([])
    client.createLive.mockRejectedValue(new ApiError(400, 'invalid_input', 'The title must be valid text.'))
    renderWithSession(<LivePage />, client)
    fireEvent.click(await screen.findByRole('button', { name: 'Create stream' }))
    expect(await screen.findByText('The title must be valid text.')).toBeTruthy()
  })

  it('explains how to turn live on when the server has no ingest', async () => {
    const client = fakeClient()
    const msg = 'Live streaming is off on this server. Start kinema serve with SRT and/or RTMP ingest (--srt-addr :9710).'
    client.listLive.mockRejectedValue(new ApiError(503, 'live_off', msg))
    renderWithSession(<LivePage />, client)
    const off = await screen.findByTestId('live-off')
    expect(off.textContent).toContain(msg)
    expect(off.textContent).toContain('KINEMA_RTMP_ADDR')
    expect(screen.queryByRole('button', { name: 'Create stream' })).toBeNull()
    expect(screen.queryByText(/no such API endpoint|Request failed/)).toBeNull()
  })
})
