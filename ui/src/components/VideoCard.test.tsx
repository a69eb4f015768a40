// @vitest-environment jsdom
import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { Video } from '../lib/api'
import { fakeClient, renderWithSession } from '../test/session'
import { VideoCard } from './VideoCard'

const hours = (h: number) => new Date(Date.now() + h * 3600e3).toISOString()

describe('VideoCard', () => {
  it('says when a video waiting for its upload expires', () => {
    const v: Video = { id: 'w', title: 'Never sent', status: 'waiting_upload', upload: { tus_url: 't', expires_at: hours(5.2), delete_at: hours(29.2) } }
    renderWithSession(<VideoCard video={v} />, fakeClient())
    expect(screen.getByTestId('upload-expiry').textContent).toBe('Waiting for upload — expires in 5 h')
  })

  it('shows no expiry once the upload arrived', () => {
    const v: Video = { id: 'r', title: 'Sent', status: 'ready', playback: { hls: 'h' } }
    renderWithSession(<VideoCard video={v} />, fakeClient())
    expect(screen.queryByTestId('upload-expiry')).toBeNull()
  })
})
