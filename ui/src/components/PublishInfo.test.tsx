// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { LiveStream } from '../lib/api'
import { LiveBadge } from './LiveBadge'
import { PublishInfo } from './PublishInfo'

const KEY = 'secretSECRETsecretSECRET1234abcd'
const stream: LiveStream = {
  id: 's1',
  title: 'Show',
  status: 'idle',
  stream_key: KEY,
  connected: false,
  video_id: '',
  srt_url: `srt://127.0.0.1:9710?streamid=publish:${KEY}`,
  rtmp_url: `rtmp://127.0.0.1:1935/live/${KEY}`,
}

const value = (label: string) => (screen.getByLabelText(label) as HTMLInputElement).value

describe('PublishInfo', () => {
  it('masks the key and the URLs that carry it until revealed', () => {
    render(<PublishInfo stream={stream} />)
    for (const label of ['Stream key', 'SRT URL', 'RTMP URL']) expect(value(label)).not.toContain(KEY)
    expect(value('SRT URL').startsWith('srt://127.0.0.1:9710?streamid=publish:')).toBe(true)
    expect(value('Stream key').endsWith('abcd')).toBe(true)

    fireEvent.click(screen.getByRole('button', { name: 'Reveal key' }))
    expect(value('Stream key')).toBe(KEY)
    expect(value('SRT URL')).toBe(stream.srt_url)
    expect(value('RTMP URL')).toBe(stream.rtmp_url)

    fireEvent.click(screen.getByRole('button', { name: 'Hide key' }))
    expect(value('Stream key')).not.toContain(KEY)
  })

  it('tells OBS users the server without the key', () => {
    render(<PublishInfo stream={stream} />)
    const hint = screen.getByTestId('obs-hint')
    expect(hint.textContent).toContain('rtmp://127.0.0.1:1935/live')
    expect(hint.textContent).not.toContain(KEY)
  })

  it('says when ingest is off', () => {
    render(<PublishInfo stream={{ ...stream, srt_url: undefined, rtmp_url: undefined }} />)
    expect(screen.getByText(/ingest is turned off/)).toBeTruthy()
    expect(screen.queryByTestId('obs-hint')).toBeNull()
  })
})

describe('LiveBadge', () => {
  it('is red LIVE while live, and says when the publisher is gone', () => {
    const { rerender } = render(<LiveBadge status="live" />)
    const badge = screen.getByTestId('live-badge')
    expect(badge.textContent).toBe('LIVE')
    expect(badge.className).toContain('badge-live-live')
    rerender(<LiveBadge status="live" reconnecting />)
    expect(screen.getByTestId('live-badge').textContent).toBe('LIVE · reconnecting')
    rerender(<LiveBadge status="ended" />)
    expect(screen.getByTestId('live-badge').textContent).toBe('Ended')
    rerender(<LiveBadge status="idle" />)
    expect(screen.getByTestId('live-badge').textContent).toBe('Idle')
  })
})
