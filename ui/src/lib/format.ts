// Human-readable numbers for durations, sizes, speeds and times left.

/** formatDuration renders seconds as m:ss, or h:mm:ss from one hour up. */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '0:00'
  const total = Math.floor(seconds)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** formatBytes uses decimal units, like file managers and upload dialogs do. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B'
  let v = bytes
  let i = 0
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000
    i++
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2
  return `${v.toFixed(digits)} ${UNITS[i]}`
}

export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** formatTimeLeft keeps it coarse: precise seconds on a moving estimate just flicker. */
export function formatTimeLeft(seconds: number | undefined | null): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return ''
  if (seconds < 1) return 'almost done'
  if (seconds < 60) return `${Math.ceil(seconds)} s left`
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60)
    const s = Math.round(seconds % 60)
    return s ? `${m} min ${s} s left` : `${m} min left`
  }
  const h = Math.floor(seconds / 3600)
  const m = Math.round((seconds % 3600) / 60)
  return `${h} h ${m} min left`
}

export function formatPercent(fraction: number | undefined | null): string {
  const f = Math.min(1, Math.max(0, fraction ?? 0))
  return `${Math.floor(f * 100)}%`
}

/** formatExpiry says when a signed URL stops working, relative to now. */
export function formatExpiry(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return 'does not expire'
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return ''
  const secs = (at.getTime() - now.getTime()) / 1000
  if (secs <= 0) return 'expired'
  if (secs < 60) return 'expires in less than a minute'
  if (secs < 3600) return `expires in ${Math.round(secs / 60)} min`
  if (secs < 48 * 3600) return `expires in ${Math.round(secs / 3600)} h`
  return `expires in ${Math.round(secs / 86400)} days`
}

/** formatDate is a short local date for cards. */
export function formatDate(iso: string | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
}

/** formatDateTime is a short local date and time, for when a broadcast started or ended. */
export function formatDateTime(iso: string | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/** formatWait says how long a Retry-After lasts, rounded up: waiting less than said is what fails. */
export function formatWait(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return 'a moment'
  if (seconds < 60) return `${Math.ceil(seconds)} s`
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`
  return `${Math.ceil(seconds / 3600)} h`
}
