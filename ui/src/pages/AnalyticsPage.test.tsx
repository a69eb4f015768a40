// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import type { Analytics } from '../lib/api'
import { fakeClient, renderWithSession } from '../test/session'
import { AnalyticsPage } from './AnalyticsPage'

// uPlot draws on a canvas, which jsdom lacks; the browser test draws the real one.
vi.mock('../components/TimeChart', () => ({
  TimeChart: ({ title, x, series }: { title: string; x: number[]; series: { values: unknown[] }[] }) => (
    <figure data-testid="chart" data-points={x.length} data-values={JSON.stringify(series[0].values)}>
      {title}
    </figure>
  ),
}))

const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString()
const sample: Analytics = {
  from: new Date(Date.now() - 7 * 24 * 3600_000).toISOString(),
  to: new Date(Math.ceil(Date.now() / 3600_000) * 3600_000).toISOString(),
  video_id: 'vid_1',
  total: { hour, views: 4, watch_ms: 90_000, startups: 4, startup_ms: 2000, rebuffers: 1, rebuffer_ms: 10_000, errors: 1, startup_avg_ms: 500, rebuffer_ratio: 0.1 },
  hours: [{ hour, views: 4, watch_ms: 90_000, startups: 4, startup_ms: 2000, rebuffers: 1, rebuffer_ms: 10_000, errors: 1, startup_avg_ms: 500, rebuffer_ratio: 0.1 }],
  renditions: [
    { height: 720, watch_ms: 60_000, max_bitrate: 2_500_000 },
    { height: 360, watch_ms: 30_000, max_bitrate: 800_000 },
  ],
}

describe('AnalyticsPage', () => {
  it('shows a video’s totals, plots and renditions, and re-reads on a new range', async () => {
    const client = fakeClient()
    client.getVideoAnalytics.mockResolvedValue(sample)
    client.getVideo.mockResolvedValue({ id: 'vid_1', title: 'Sunset' })
    renderWithSession(<AnalyticsPage id="vid_1" />, client, { role: 'uploader' })
    expect((await screen.findByTestId('stat-views')).textContent).toBe('4')
    expect(screen.getByTestId('stat-watch').textContent).toBe('2 min')
    expect(screen.getByTestId('stat-startup').textContent).toBe('500 ms')
    expect(screen.getByTestId('stat-rebuffer').textContent).toBe('10 %')
    expect(await screen.findByText('Analytics: Sunset')).toBeTruthy()
    const charts = screen.getAllByTestId('chart')
    expect(charts.map((c) => c.textContent)).toEqual(['Views per hour', 'Watch time per hour', 'Average startup time', 'Rebuffering ratio', 'Playback errors'])
    expect(Number(charts[0].dataset.points)).toBeGreaterThanOrEqual(7 * 24)
    expect(JSON.parse(charts[0].dataset.values!).reduce((a: number, b: number) => a + b, 0)).toBe(4)
    expect(screen.getAllByTestId('rendition-row').map((r) => r.textContent)).toEqual(['720p67% · 1 min', '360p33% · 30 s'])
    fireEvent.click(screen.getByRole('button', { name: '24 hours' }))
    await waitFor(() => expect(client.getVideoAnalytics).toHaveBeenCalledTimes(2))
    const [, range] = client.getVideoAnalytics.mock.calls[1]
    expect(Date.parse(range.to) - Date.parse(range.from)).toBe(24 * 3600_000)
  })

  it('says so when nothing was played, and shows errors', async () => {
    const client = fakeClient()
    client.getAnalytics.mockResolvedValueOnce({ ...sample, hours: [], renditions: [], total: { ...sample.total, views: 0, watch_ms: 0 }, top_videos: [] })
    renderWithSession(<AnalyticsPage />, client)
    expect(await screen.findByText('No playback in this range')).toBeTruthy()
    expect(screen.queryAllByTestId('chart')).toHaveLength(0)
    client.getAnalytics.mockRejectedValueOnce(new Error('You may not do that.'))
    fireEvent.click(screen.getByRole('button', { name: '30 days' }))
    expect((await screen.findByRole('alert')).textContent).toBe('You may not do that.')
  })
})
