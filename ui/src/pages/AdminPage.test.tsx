// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import type { JobInfo, JobOverview, StorageReport, UserDetail } from '../lib/adminApi'
import { ApiError } from '../lib/api'
import { fakeClient, renderWithSession, testUser } from '../test/session'
import { AdminPage } from './AdminPage'

// uPlot draws on a canvas, which jsdom lacks; the browser test draws the real one.
vi.mock('../components/TimeChart', () => ({
  TimeChart: ({ title, x, series }: { title: string; x: number[]; series: { values: unknown[] }[] }) => (
    <figure data-testid="chart" data-points={x.length} data-values={JSON.stringify(series[0].values)}>
      {title}
    </figure>
  ),
}))

const overview: JobOverview = {
  lease_seconds: 10,
  counts: [
    { kind: 'encode_chunk', state: 'running', count: 2 },
    { kind: 'encode_chunk', state: 'available', count: 3 },
    { kind: 'probe', state: 'discarded', count: 1 },
    { kind: 'probe', state: 'completed', count: 7 },
  ],
  workers: [
    { id: 'kinema-a', alive: true, running: 2, last_seen: new Date().toISOString() },
    { id: 'kinema-b', alive: false, running: 0 },
  ],
}
const failedJob: JobInfo = {
  id: 41,
  kind: 'probe',
  state: 'discarded',
  queue: 'default',
  video_id: 'vid_1',
  run: 1,
  attempt: 3,
  max_attempts: 3,
  created_at: '2026-12-01T10:00:00Z',
  scheduled_at: '2026-12-01T10:00:00Z',
  last_error: 'ffprobe exit status 1',
}
const storage: StorageReport = {
  prefixes: [
    { name: 'sources', prefix: 'raw/', bytes: 3_000_000, measured: 'catalog' },
    { name: 'media', prefix: 'media/', bytes: 1_000_000, measured: 'catalog' },
    { name: 'live', prefix: 'live/', bytes: 0, objects: 0, measured: 'store' },
  ],
  videos: 2,
  owners: [{ owner_id: 'usr_admin', email: 'admin@example.com', videos: 2, source_bytes: 3_000_000, media_bytes: 1_000_000 }],
  largest: [{ id: 'vid_1', title: 'Big one', owner_id: 'usr_admin', source_bytes: 3_000_000, media_bytes: 1_000_000 }],
  computed_at: '2026-12-01T10:00:00Z',
}
const detail = (over: Partial<UserDetail> = {}): UserDetail => ({
  ...testUser('uploader', 'usr_up'),
  quota_processing_minutes: null,
  quota_storage_bytes: 2_000_000_000,
  quota: { processing_minutes: 60, period_seconds: 30 * 86400, used_processing_minutes: 12, storage_bytes: 2_000_000_000, used_storage_bytes: 500_000_000 },
  ...over,
})

function setup() {
  const client = fakeClient()
  client.jobsOverview.mockResolvedValue(overview)
  client.listJobs.mockImplementation((state: string) => Promise.resolve(state === 'discarded' ? [failedJob] : []))
  client.adminStorage.mockResolvedValue(storage)
  client.adminThroughput.mockResolvedValue({
    since: new Date(Date.now() - 24 * 3600_000).toISOString(),
    bucket_seconds: 3600,
    buckets: [{ start: new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString(), videos: 2, media_seconds: 120, processing_seconds: 60 }],
  })
  client.listWebhooks.mockResolvedValue([])
  client.listUsers.mockResolvedValue([testUser('uploader', 'usr_up')])
  client.getUser.mockResolvedValue(detail())
  return client
}

describe('AdminPage', () => {
  it('shows the queue, workers, throughput, storage and quotas', async () => {
    const client = setup()
    renderWithSession(<AdminPage />, client)
    expect((await screen.findByTestId('stat-running')).textContent).toBe('2')
    expect(screen.getByTestId('stat-waiting').textContent).toBe('3')
    expect(screen.getByTestId('stat-failed').textContent).toBe('1')
    expect(screen.getByTestId('stat-workers').textContent).toBe('1')
    const table = screen.getByTestId('jobs-table')
    const probe = table.querySelector('tr[data-kind="probe"]')!
    expect(probe.querySelector('[data-col="failed"]')!.textContent).toBe('1')
    expect(probe.querySelector('[data-col="done"]')!.textContent).toBe('7')
    // The failed list is the first shown, from both failed states.
    expect(await screen.findByText('ffprobe exit status 1')).toBeTruthy()
    expect(client.listJobs.mock.calls.map((c) => c[0]).sort()).toEqual(['cancelled', 'discarded'])
    const workers = screen.getAllByTestId('worker-row')
    expect(workers.map((w) => w.dataset.alive)).toEqual(['true', 'false'])
    expect(workers[1].textContent).toContain('stopped')
    const charts = await screen.findAllByTestId('chart')
    expect(charts.map((c) => c.textContent)).toEqual(['Media processed per hour', 'Processing speed (× real time)'])
    expect(JSON.parse(charts[0].dataset.values!).reduce((a: number, b: number) => a + b, 0)).toBe(2)
    expect(JSON.parse(charts[1].dataset.values!).filter((v: number | null) => v !== null)).toEqual([2])
    const prefixes = await screen.findAllByTestId('storage-prefix')
    expect(prefixes.map((p) => p.dataset.name)).toEqual(['sources', 'media', 'live'])
    expect(prefixes[0].textContent).toContain('3.00 MB')
    const quota = await screen.findByTestId('quota-storage')
    expect(quota.textContent).toContain('500 MB of 2.00 GB (set for this user)')
    expect(screen.getByTestId('quota-processing').textContent).toContain('12 min of 60 min')
  })

  it('retries a failed job and refreshes the queue', async () => {
    const client = setup()
    client.retryJob.mockResolvedValue({ retried: 'video', video_id: 'vid_1' })
    renderWithSession(<AdminPage />, client)
    const row = (await screen.findAllByTestId('job-row'))[0]
    fireEvent.click(within(row).getByRole('button', { name: 'Retry' }))
    await waitFor(() => expect(client.retryJob).toHaveBeenCalledWith(41))
    expect((await screen.findByRole('status')).textContent).toContain('processing again')
    await waitFor(() => expect(client.jobsOverview.mock.calls.length).toBeGreaterThanOrEqual(2))
  })

  it('says so when the server refuses a retry for good, and offers it no more', async () => {
    const client = setup()
    client.retryJob.mockRejectedValue(new ApiError(400, 'invalid', 'This file cannot be processed (see the reason); running it again would fail the same way.'))
    renderWithSession(<AdminPage />, client)
    const row = (await screen.findAllByTestId('job-row'))[0]
    fireEvent.click(within(row).getByRole('button', { name: 'Retry' }))
    expect((await screen.findByRole('alert')).textContent).toContain('would fail the same way')
    expect(within(row).queryByRole('button', { name: 'Retry' })).toBeNull()
    expect(within(row).getByText('Cannot be retried')).toBeTruthy()
  })

  it('edits a user’s quotas: empty is the default, numbers are GB and minutes', async () => {
    const client = setup()
    client.setUserQuota.mockResolvedValue(detail({ quota_storage_bytes: null, quota_processing_minutes: 30 }))
    renderWithSession(<AdminPage />, client)
    fireEvent.click(await screen.findByRole('button', { name: 'Edit quotas of uploader@example.com' }))
    const gb = screen.getByLabelText('Storage quota of uploader@example.com in GB') as HTMLInputElement
    expect(gb.value).toBe('2')
    fireEvent.change(gb, { target: { value: '' } })
    fireEvent.change(screen.getByLabelText('Processing quota of uploader@example.com in minutes'), { target: { value: '30' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }))
    await waitFor(() => expect(client.setUserQuota).toHaveBeenCalledWith('usr_up', { quota_storage_bytes: null, quota_processing_minutes: 30 }))
    expect(await screen.findByText('Saved.')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Edit quotas of uploader@example.com' }))
    fireEvent.change(screen.getByLabelText('Storage quota of uploader@example.com in GB'), { target: { value: '-3' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save quotas' }))
    expect((await screen.findByRole('alert')).textContent).toContain('0 or more')
    expect(client.setUserQuota).toHaveBeenCalledTimes(1)
  })

  it('adds a webhook (secret shown once), sends a test and deletes with two clicks', async () => {
    const client = setup()
    const hook = { id: 'whe_1', owner_id: 'usr_admin', url: 'https://example.com/hook', events: ['video.ready'], created_at: '2026-12-01T10:00:00Z', disabled: false }
    client.listWebhooks.mockResolvedValueOnce([]).mockResolvedValue([hook])
    client.createWebhook.mockResolvedValue({ webhook: hook, secret: 'whsec_abc' })
    client.testWebhook.mockResolvedValue({ delivery: {} })
    client.listWebhookDeliveries.mockResolvedValue([
      { id: 'whd_1', endpoint_id: 'whe_1', event: 'webhook.test', state: 'delivered', attempts: 1, response_code: 200, last_error: '', created_at: '2026-12-01T10:00:00Z', updated_at: '2026-12-01T10:00:00Z' },
    ])
    client.deleteWebhook.mockResolvedValue(undefined)
    renderWithSession(<AdminPage />, client)
    expect(await screen.findByText(/No webhooks/)).toBeTruthy()
    fireEvent.change(screen.getByLabelText('Webhook URL'), { target: { value: 'https://example.com/hook' } })
    fireEvent.click(screen.getByLabelText('video.failed')) // off: only video.ready stays
    fireEvent.click(screen.getByRole('button', { name: 'Add webhook' }))
    await waitFor(() => expect(client.createWebhook).toHaveBeenCalledWith('https://example.com/hook', ['video.ready']))
    expect((await screen.findByTestId('webhook-secret')).textContent).toContain('not shown again')
    const row = await screen.findByTestId('webhook-row')
    fireEvent.click(within(row).getByRole('button', { name: 'Send test' }))
    await waitFor(() => expect(client.testWebhook).toHaveBeenCalledWith('whe_1'))
    expect((await within(row).findByTestId('delivery-row')).dataset.state).toBe('delivered')
    fireEvent.click(within(row).getByRole('button', { name: 'Delete webhook https://example.com/hook' }))
    fireEvent.click(within(row).getByRole('button', { name: 'Confirm delete webhook https://example.com/hook' }))
    await waitFor(() => expect(client.deleteWebhook).toHaveBeenCalledWith('whe_1'))
    await waitFor(() => expect(screen.queryByTestId('webhook-row')).toBeNull())
    expect(screen.queryByTestId('webhook-secret')).toBeNull()
  })
})
