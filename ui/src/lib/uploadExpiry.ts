// uploadExpiry words when a video that never received its upload stops
// taking one (upload.expires_at) and when the server deletes it
// (upload.delete_at, 24 h later).

import type { UploadTarget } from './api'

function inWords(secs: number): string {
  if (secs < 60) return 'less than a minute'
  if (secs < 3600) return `${Math.round(secs / 60)} min`
  if (secs < 48 * 3600) return `${Math.round(secs / 3600)} h`
  return `${Math.round(secs / 86400)} days`
}

/** uploadExpiry is the card's line for a waiting_upload video, or '' without dates. */
export function uploadExpiry(upload: UploadTarget | undefined, now: Date = new Date()): string {
  const expires = upload?.expires_at ? new Date(upload.expires_at).getTime() : NaN
  if (Number.isNaN(expires)) return ''
  const left = (expires - now.getTime()) / 1000
  if (left > 0) return `Waiting for upload — expires in ${inWords(left)}`
  const del = upload?.delete_at ? new Date(upload.delete_at).getTime() : NaN
  if (Number.isNaN(del)) return 'Upload expired'
  const untilDelete = (del - now.getTime()) / 1000
  return untilDelete > 0 ? `Upload expired — removed in ${inWords(untilDelete)}` : 'Upload expired — removed soon'
}
