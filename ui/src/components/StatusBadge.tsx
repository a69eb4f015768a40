// StatusBadge gives each processing state a colour and a human word.

import type { VideoStatus } from '../lib/api'

const LABELS: Record<VideoStatus, string> = {
  waiting_upload: 'Waiting for upload',
  queued: 'Queued',
  processing: 'Processing',
  ready: 'Ready',
  failed: 'Failed',
}

/** PLAYABLE_LABEL is a processing video that already plays (playable_at). */
export const PLAYABLE_LABEL = 'Playable, still processing'

export function statusLabel(s: VideoStatus, playable = false): string {
  if (s === 'processing' && playable) return PLAYABLE_LABEL
  return LABELS[s] ?? s
}

export function StatusBadge({ status, playable = false }: { status: VideoStatus; playable?: boolean }) {
  return <span className={`badge badge-${status}`}>{statusLabel(status, playable)}</span>
}
