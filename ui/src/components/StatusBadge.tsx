// StatusBadge gives each processing state a colour and a human word.

import type { VideoStatus } from '../lib/api'

const LABELS: Record<VideoStatus, string> = {
  waiting_upload: 'Waiting for upload',
  queued: 'Queued',
  processing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
}

export function statusLabel(s: VideoStatus): string {
  return LABELS[s] ?? s
}

export function StatusBadge({ status }: { status: VideoStatus }) {
  return <span className={`badge badge-${status}`}>{statusLabel(status)}</span>
}
