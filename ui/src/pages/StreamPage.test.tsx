// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { ApiError, type LiveStream } from '../lib/api'
import { fakeClient, renderWithSession } from '../test/session'
import { StreamPage } from './StreamPage'

// The real player needs Media Source Extensions, which jsdom lacks.
vi.mock('../components/LivePlayer', () => ({
  LivePlayer: ({ src }: { src: string }) => <div data-testid="live-player" data-src={src} />,
}))

const idle: LiveStream = {
  id: 's1',
  title: 'Show',
  status: 'idle',
  stream_key: 'secretSECRETsecretSECRET1234abcd',
  connected: false,
  video_id: '',
  srt_url: 'srt://127.0.0.1:9710?streamid=publish:secretSECRETsecretSECRET1234abcd',
  rtmp_url: 'rtmp://127.0.0.1:1935/live/secretSECRETsecretSECRET1234abcd',
  playback: { hls: 'http://h/live/s1/master.m3u8?token=t1' },
}
const live: LiveStream = { ...idle, status: 'live', connected: true, playback: { hls: 'http://h/live/s1/master.m3u8?token=t2' } }
const ended: LiveStream = { ...idle, status: 'ended', srt_url: undefined, rtmp_url: undefined, ended_at: new Date().toISOString() }

describe('StreamPage', () => {
  it('follows a broadcast from idle to live to its recording', async () => {
    const client = fakeClient()
    client.getLive
      .mockResolvedValueOnce(idle)
      .mockResolvedValueOnce(live)
      .mockResolvedValueOnce({ ...live, playback: { hls: 'http://h/live/s1/master.m3u8?token=t3' } })
      .mockResolvedValueOnce(ended)
      .mockResolvedValue({ ...ended, video_id: 'v7' })
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      renderWithSession(<StreamPage id="s1" />, client)
      expect(await screen.findByTestId('live-idle')).toBeTruthy()
      expect(screen.getByLabelText('SRT URL')).toBeTruthy()
      expect(screen.getByTestId('live-badge').textContent).toBe('Idle')

      await vi.advanceTimersByTimeAsync(2000)
      const player = await screen.findByTestId('live-player')
      expect(player.getAttribute('data-src')).toContain('token=t2')
      expect(screen.getByTestId('live-badge').textContent).toBe('LIVE')

      // A freshly signed URL on the next poll does not restart the player.
      await vi.advanceTimersByTimeAsync(2000)
      await waitFor(() => expect(client.getLive).toHaveBeenCalledTimes(3))
      expect(screen.getByTestId('live-player').getAttribute('data-src')).toContain('token=t2')

      await vi.advanceTimersByTimeAsync(2000)
      expect(await screen.findByText('The recording is being saved as a video…')).toBeTruthy()
      expect(screen.queryByTestId('live-player')).toBeNull()
      expect(screen.queryByLabelText('SRT URL')).toBeNull()

      await vi.advanceTimersByTimeAsync(2000)
      const link = await screen.findByRole('link', { name: 'Watch the recording' })
      expect(link.getAttribute('href')).toBe('/watch/v7')

      // Nothing changes after that: polling stops.
      const calls = client.getLive.mock.calls.length
      await vi.advanceTimersByTimeAsync(6000)
      expect(client.getLive.mock.calls.length).toBe(calls)
    } finally {
      vi.useRealTimers()
    }
  })

  it('says when the stream does not exist', async () => {
    const client = fakeClient()
    client.getLive.mockRejectedValue(new ApiError(404, 'not_found', 'No such live stream.'))
    renderWithSession(<StreamPage id="nope" />, client)
    expect(await screen.findByText('Live stream not found')).toBeTruthy()
  })

  it('shows why a broadcast ended', async () => {
    const client = fakeClient()
    client.getLive.mockResolvedValue({ ...ended, error: 'The input is not MPEG-TS.', video_id: 'v1' })
    renderWithSession(<StreamPage id="s1" />, client)
    expect((await screen.findByTestId('live-error')).textContent).toBe('The input is not MPEG-TS.')
  })

  it('shows health, labels rungs like VOD, ends the stream and rotates its key after a second click', async () => {
    const client = fakeClient()
    const withHealth: LiveStream = {
      ...live,
      renditions: [
        { id: 'v0', type: 'video', width: 1280, height: 720 },
        { id: 'v1', type: 'video', width: 832, height: 468 },
      ] as LiveStream['renditions'],
      health: { input_bitrate: 3_000_000, fps: 30, dropped_frames: 0, lag: 0.2, viewers: 4 },
    }
    client.getLive.mockResolvedValue(withHealth)
    client.rotateLiveKey.mockResolvedValue({ ...withHealth, stream_key: 'NEWkeyNEWkeyNEWkeyNEWkey99990000' })
    client.endLive.mockResolvedValue(ended)
    renderWithSession(<StreamPage id="s1" />, client)
    const health = await screen.findByTestId('stream-health')
    expect(health.textContent).toContain('3.0 Mbit/s')
    expect(health.textContent).toContain('30 fps')
    expect(health.textContent).toContain('4')
    expect(screen.getByText('720p · 480p')).toBeTruthy()

    const rotate = screen.getByTestId('rotate-key')
    rotate.click()
    expect(client.rotateLiveKey).not.toHaveBeenCalled()
    await waitFor(() => expect(screen.getByTestId('rotate-key').textContent).toBe('Replace the key?'))
    screen.getByTestId('rotate-key').click()
    await waitFor(() => expect(client.rotateLiveKey).toHaveBeenCalledWith('s1'))

    screen.getByTestId('end-stream').click()
    await waitFor(() => expect(screen.getByTestId('end-stream').textContent).toBe('End now?'))
    screen.getByTestId('end-stream').click()
    await waitFor(() => expect(client.endLive).toHaveBeenCalledWith('s1'))
    expect(await screen.findByTestId('live-ended')).toBeTruthy()
  })

  it('lists restream destinations masked with their status, adds and removes them', async () => {
    const client = fakeClient()
    const withRestreams: LiveStream = {
      ...live,
      restreams: [
        { id: 'r1', stream_id: 's1', name: 'YouTube', url: 'rtmp://a.rtmp.youtube.com/live2/****', status: 'live' },
        {
          id: 'r2',
          stream_id: 's1',
          name: 'Twitch',
          url: 'rtmp://live.twitch.tv/app/****',
          status: 'error',
          error: 'The destination refused the stream; check the URL and stream key. Retrying in 4 s.',
        },
      ],
    }
    client.getLive.mockResolvedValue(withRestreams)
    client.addRestream.mockResolvedValue(withRestreams.restreams![0])
    client.removeRestream.mockResolvedValue(undefined)
    renderWithSession(<StreamPage id="s1" />, client)
    const items = await screen.findAllByTestId('restream')
    expect(items.map((i) => i.getAttribute('data-status'))).toEqual(['live', 'error'])
    expect(items[0].textContent).toContain('rtmp://a.rtmp.youtube.com/live2/****')
    expect(items[1].textContent).toContain('Retrying in 4 s.')

    fireEvent.change(screen.getByLabelText('Destination name'), { target: { value: 'Other' } })
    fireEvent.change(screen.getByLabelText('Destination URL'), { target: { value: 'rtmp://x.example/live/k3y' } })
    screen.getByTestId('add-restream').click()
    await waitFor(() => expect(client.addRestream).toHaveBeenCalledWith('s1', 'Other', 'rtmp://x.example/live/k3y'))
    await waitFor(() => expect((screen.getByLabelText('Destination URL') as HTMLInputElement).value).toBe(''))

    screen.getByRole('button', { name: 'Remove Twitch' }).click()
    await waitFor(() => expect(client.removeRestream).toHaveBeenCalledWith('s1', 'r2'))
  })

  it('deletes an ended stream after a second click', async () => {
    const client = fakeClient()
    client.getLive.mockResolvedValue({ ...ended, video_id: 'v1' })
    client.deleteLive.mockResolvedValue(undefined)
    renderWithSession(<StreamPage id="s1" />, client)
    ;(await screen.findByTestId('delete-stream')).click()
    expect(client.deleteLive).not.toHaveBeenCalled()
    await waitFor(() => expect(screen.getByTestId('delete-stream').textContent).toBe('Delete now?'))
    screen.getByTestId('delete-stream').click()
    await waitFor(() => expect(client.deleteLive).toHaveBeenCalledWith('s1'))
  })
})
