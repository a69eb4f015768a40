// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ApiError, type Video } from '../lib/api'
import { fakeClient, renderWithSession } from '../test/session'
import { WatchPage } from '../pages/WatchPage'

const ready: Video = {
  id: 'v1',
  title: 'Mine',
  status: 'ready',
  kind: 'video',
  duration: 6,
  owner_id: 'usr_uploader',
  visibility: 'private',
  playback: { hls: '/media/v1/master.m3u8?token=t', dash: '/media/v1/manifest.mpd?token=t', poster: '/media/v1/poster.jpg?token=t', storyboard: '', expires_at: '' },
} as Video

describe('poster and audio tracks on the watch page', () => {
  it('uploads a poster image and shows the new one; shows a refusal', async () => {
    const client = fakeClient()
    client.getVideo.mockResolvedValue(ready)
    const next = { ...ready, playback: { ...ready.playback!, poster: '/media/v1/poster-0123456789abcdef.jpg?token=u' } }
    client.uploadPoster.mockRejectedValueOnce(new ApiError(415, 'unsupported_media_type', 'A poster must be a JPEG, PNG or WebP image.'))
    client.uploadPoster.mockResolvedValueOnce(next)
    renderWithSession(<WatchPage id="v1" />, client, { role: 'uploader' })
    const region = await screen.findByRole('region', { name: 'Poster' })
    const input = region.querySelector('input[type=file]') as HTMLInputElement
    const bad = new File(['<svg/>'], 'x.jpg', { type: 'image/jpeg' })
    fireEvent.change(input, { target: { files: [bad] } })
    expect((await screen.findByRole('alert')).textContent).toBe('A poster must be a JPEG, PNG or WebP image.')
    const good = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'p.jpg', { type: 'image/jpeg' })
    fireEvent.change(input, { target: { files: [good] } })
    await waitFor(() => expect(client.uploadPoster).toHaveBeenLastCalledWith('v1', good))
    await waitFor(() => expect((screen.getByTestId('poster-current') as HTMLImageElement).src).toContain('poster-0123456789abcdef.jpg'))
    expect(screen.getByRole('button', { name: "Use kinema's choice" })).toBeTruthy()
  })

  it('adds an audio track with its language and lists it', async () => {
    const client = fakeClient()
    client.getVideo.mockResolvedValue(ready)
    client.addAudio.mockResolvedValue({ id: 'au1', language: 'de', name: 'Deutsch', status: 'processing', duration: 6 })
    renderWithSession(<WatchPage id="v1" />, client, { role: 'uploader' })
    const region = await screen.findByRole('region', { name: 'Audio tracks' })
    fireEvent.change(screen.getByLabelText('Language'), { target: { value: 'de' } })
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Deutsch' } })
    const f = new File([new Uint8Array([1, 2, 3])], 'de.m4a', { type: 'audio/mp4' })
    fireEvent.change(screen.getByLabelText('Audio file'), { target: { files: [f] } })
    fireEvent.click(screen.getByRole('button', { name: 'Add audio track' }))
    await waitFor(() => expect(client.addAudio).toHaveBeenCalledWith('v1', f, 'de', 'Deutsch'))
    expect((await screen.findByTestId('added-audio')).textContent).toContain('Deutsch (de)')
    expect(region.textContent).toContain('Encoding…')
  })
})
