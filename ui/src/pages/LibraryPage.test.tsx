// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it } from 'vitest'
import { ApiError, type Video } from '../lib/api'
import { fakeClient, renderWithSession } from '../test/session'
import { LibraryPage } from './LibraryPage'

const videos: Video[] = [
  { id: 'a', title: 'Beach day', status: 'ready', duration: 65, playback: { hls: 'h', poster: 'http://h/p.jpg' }, owner_id: 'usr_uploader', visibility: 'public' },
  { id: 'b', title: 'Podcast', status: 'ready', kind: 'audio', duration: 3725, playback: { hls: 'h' }, owner_id: 'usr_other', visibility: 'restricted' },
  { id: 'c', title: 'Broken', status: 'failed', error: 'bad input', owner_id: 'usr_uploader', visibility: 'private' },
]

beforeEach(() => window.history.replaceState(null, '', '/'))

describe('LibraryPage', () => {
  it('renders cards with duration and status', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    renderWithSession(<LibraryPage />, client)
    expect(await screen.findByText('Beach day')).toBeTruthy()
    expect(screen.getByText('1:05')).toBeTruthy()
    expect(screen.getByText('1:02:05')).toBeTruthy()
    expect(screen.getAllByText('Failed').length).toBeGreaterThan(0)
    expect(screen.getAllByTestId('video-card')).toHaveLength(3)
  })

  it('filters by status through the API', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    renderWithSession(<LibraryPage />, client)
    await screen.findByText('Beach day')
    fireEvent.click(screen.getByRole('tab', { name: 'Failed' }))
    await waitFor(() => expect(client.listVideos).toHaveBeenLastCalledWith({ status: 'failed', q: '', mine: false }, expect.anything()))
    expect(window.location.search).toBe('?status=failed')
  })

  it('filters by title as you type', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    renderWithSession(<LibraryPage />, client)
    await screen.findByText('Beach day')
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'pod' } })
    await waitFor(() => expect(screen.getAllByTestId('video-card')).toHaveLength(1))
    expect(screen.getByText('Podcast')).toBeTruthy()
  })

  it('deletes after confirmation', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    client.deleteVideo.mockResolvedValue(undefined)
    renderWithSession(<LibraryPage />, client)
    await screen.findByText('Beach day')
    fireEvent.click(screen.getByRole('button', { name: 'Delete Beach day' }))
    expect(client.deleteVideo).not.toHaveBeenCalled()
    fireEvent.click(screen.getByRole('button', { name: 'Confirm delete Beach day' }))
    await waitFor(() => expect(client.deleteVideo).toHaveBeenCalledWith('a'))
    await waitFor(() => expect(screen.getAllByTestId('video-card')).toHaveLength(2))
  })

  it('switches between all videos and only mine', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    renderWithSession(<LibraryPage />, client, { role: 'uploader' })
    await screen.findByText('Beach day')
    expect(screen.getByRole('tab', { name: 'All I can see' }).getAttribute('aria-selected')).toBe('true')
    fireEvent.click(screen.getByRole('tab', { name: 'Mine' }))
    await waitFor(() => expect(client.listVideos).toHaveBeenLastCalledWith({ status: '', q: '', mine: true }, expect.anything()))
    expect(window.location.search).toBe('?mine=1')
  })

  it('offers delete only on videos the user may change', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    renderWithSession(<LibraryPage />, client, { role: 'uploader' })
    await screen.findByText('Beach day')
    expect(screen.getByRole('button', { name: 'Delete Beach day' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Delete Podcast' })).toBeNull()
    expect(screen.getAllByTestId('visibility').map((e) => e.textContent)).toEqual(['Public', 'Restricted', 'Private'])
  })

  it('shows a viewer no upload, delete or "Mine"', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    renderWithSession(<LibraryPage />, client, { role: 'viewer' })
    await screen.findByText('Beach day')
    expect(screen.queryByRole('link', { name: 'Upload' })).toBeNull()
    expect(screen.queryByRole('button', { name: /^Delete/ })).toBeNull()
    expect(screen.queryByRole('tab', { name: 'Mine' })).toBeNull()
    // Viewers only ever see ready videos: no status filters, no selection.
    expect(screen.queryByRole('tab', { name: 'Failed' })).toBeNull()
    expect(screen.queryByRole('tab', { name: 'Processing' })).toBeNull()
    expect(screen.queryByRole('checkbox')).toBeNull()
  })

  it('searches descriptions and tags, sorts and filters by date through the API', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue([{ ...videos[0], description: 'Sand and waves', tags: ['summer'] }, videos[1]])
    renderWithSession(<LibraryPage />, client)
    await screen.findByText('Beach day')
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'summer' } })
    await waitFor(() => expect(screen.getAllByTestId('video-card')).toHaveLength(1))
    fireEvent.change(screen.getByLabelText('Sort'), { target: { value: 'title' } })
    fireEvent.change(screen.getByLabelText('Added from'), { target: { value: '2026-01-01' } })
    // The search box is debounced: on a busy machine its request can come
    // after waitFor's default second.
    await waitFor(
      () => expect(client.listVideos).toHaveBeenLastCalledWith({ status: '', q: 'summer', mine: false, from: '2026-01-01', sort: 'title' }, expect.anything()),
      { timeout: 5000 },
    )
    expect(window.location.search).toBe('?q=summer&from=2026-01-01&sort=title')
  })

  it('changes the visibility of the selected videos at once', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue(videos)
    client.updateVideo.mockImplementation(async (id: string) => ({ ...videos.find((v) => v.id === id)!, visibility: 'unlisted' }))
    renderWithSession(<LibraryPage />, client, { role: 'uploader' })
    await screen.findByText('Beach day')
    expect(screen.queryByLabelText('Select Podcast')).toBeNull() // not theirs
    fireEvent.click(screen.getByLabelText('Select Beach day'))
    fireEvent.click(screen.getByLabelText('Select Broken'))
    expect(screen.getByText('2 selected')).toBeTruthy()
    fireEvent.change(screen.getByLabelText('New visibility'), { target: { value: 'unlisted' } })
    fireEvent.click(screen.getByRole('button', { name: 'Apply visibility' }))
    await waitFor(() => expect(client.updateVideo).toHaveBeenCalledTimes(2))
    expect(client.updateVideo).toHaveBeenCalledWith('a', { visibility: 'unlisted' })
    expect(client.updateVideo).toHaveBeenCalledWith('c', { visibility: 'unlisted' })
    expect(await screen.findByText('Made unlisted: 2 videos.')).toBeTruthy()
  })

  it('shows an empty state', async () => {
    const client = fakeClient()
    client.listVideos.mockResolvedValue([])
    renderWithSession(<LibraryPage />, client)
    expect(await screen.findByText('No videos yet')).toBeTruthy()
  })

  it('shows an error state with retry', async () => {
    const client = fakeClient()
    client.listVideos.mockRejectedValueOnce(new ApiError(0, 'network', 'Cannot reach the server.')).mockResolvedValue([])
    renderWithSession(<LibraryPage />, client)
    expect(await screen.findByText('Cannot reach the server.')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(await screen.findByText('No videos yet')).toBeTruthy()
  })
})
