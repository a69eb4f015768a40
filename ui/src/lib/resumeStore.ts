// Remembers which video each unfinished upload belongs to, so that after a
// reload, choosing the same file again continues the same tus upload instead
// of creating a second video. A browser cannot reopen a file by itself, so the
// user has to pick it again; the record lets us recognise it.

export interface ResumeRecord {
  fileKey: string
  videoId: string
  name: string
  size: number
  /** Bytes known to be on the server when last saved (for display only). */
  sent: number
  savedAt: string
}

const STORAGE_KEY = 'kinema.uploads.v1'

/** fileKey identifies a file well enough to match a re-selected copy. */
export function fileKey(file: { name: string; size: number; lastModified?: number }): string {
  return `${file.name}:${file.size}:${file.lastModified ?? 0}`
}

export class ResumeStore {
  private readonly storage: Storage | undefined

  constructor(storage: Storage | undefined = globalThis.localStorage) {
    this.storage = storage
  }

  all(): ResumeRecord[] {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY)
      const list = raw ? (JSON.parse(raw) as ResumeRecord[]) : []
      return Array.isArray(list) ? list : []
    } catch {
      return [] // corrupt or blocked storage: resuming is a nicety, not a must
    }
  }

  find(key: string): ResumeRecord | undefined {
    return this.all().find((r) => r.fileKey === key)
  }

  put(rec: ResumeRecord): void {
    this.write([...this.all().filter((r) => r.fileKey !== rec.fileKey), rec])
  }

  remove(key: string): void {
    this.write(this.all().filter((r) => r.fileKey !== key))
  }

  private write(list: ResumeRecord[]): void {
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(list))
    } catch {
      // Quota or private mode: the upload itself still works.
    }
  }
}
