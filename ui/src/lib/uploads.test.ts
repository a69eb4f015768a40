import { describe, expect, it, vi } from 'vitest'
import type { PreviousUpload, UploadOptions } from 'tus-js-client'
import { ApiError, type Video } from './api'
import { ResumeStore } from './resumeStore'
import { UploadManager, fingerprintFor, tusMessage, type TusModule, type TusUpload } from './uploads'

class MemoryStorage implements Storage {
  private m = new Map<string, string>()
  get length() {
    return this.m.size
  }
  clear() {
    this.m.clear()
  }
  getItem(k: string) {
    return this.m.get(k) ?? null
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null
  }
  removeItem(k: string) {
    this.m.delete(k)
  }
  setItem(k: string, v: string) {
    this.m.set(k, v)
  }
}

/** FakeUpload records what the manager asked tus-js-client to do. */
class FakeUpload implements TusUpload {
  static last: FakeUpload
  static previous: PreviousUpload[] = []
  started = 0
  aborted: (boolean | undefined)[] = []
  resumedFrom?: PreviousUpload
  fingerprint?: string
  constructor(
    public file: File,
    public options: UploadOptions,
  ) {
    FakeUpload.last = this
  }
  start() {
    this.started++
  }
  abort(terminate?: boolean) {
    this.aborted.push(terminate)
    return Promise.resolve()
  }
  findPreviousUploads() {
    return this.options.fingerprint!(this.file, this.options).then((fp) => {
      this.fingerprint = fp
      return FakeUpload.previous
    })
  }
  resumeFromPreviousUpload(p: PreviousUpload) {
    this.resumedFrom = p
  }
}

const fakeTus = {
  Upload: FakeUpload,
  defaultOptions: {
    httpStack: { createRequest: vi.fn(), getName: () => 'fake' },
    urlStorage: {
      findAllUploads: vi.fn(),
      findUploadsByFingerprint: vi.fn().mockResolvedValue([{ urlStorageKey: 'tus::k1' }]),
      removeUpload: vi.fn().mockResolvedValue(undefined),
      addUpload: vi.fn(),
    },
  },
} as unknown as TusModule

const waiting = (id: string): Video => ({
  id,
  title: 'clip.mp4',
  status: 'waiting_upload',
  upload: { tus_url: `http://h/api/v1/tus/?video=${id}&token=t`, method: 'PUT' },
})

function setup() {
  const client = {
    createVideo: vi.fn().mockResolvedValue(waiting('v1')),
    getVideo: vi.fn(),
    deleteVideo: vi.fn().mockResolvedValue(undefined),
  }
  const store = new ResumeStore(new MemoryStorage())
  let now = 0
  const mgr = new UploadManager(client as never, fakeTus, store, () => now)
  return { client, store, mgr, tick: (ms: number) => (now += ms) }
}

const file = () => new File([new Uint8Array(1000)], 'clip.mp4', { type: 'video/mp4', lastModified: 42 })
const flush = () => new Promise((r) => setTimeout(r, 0))

describe('UploadManager', () => {
  it('creates the video, then uploads to its tus URL with metadata', async () => {
    const { client, mgr, store } = setup()
    FakeUpload.previous = []
    mgr.add([file()])
    expect(mgr.getSnapshot()[0].phase).toBe('creating')
    await flush()
    expect(client.createVideo).toHaveBeenCalledWith('clip', undefined)
    const up = FakeUpload.last
    expect(up.options.endpoint).toBe('http://h/api/v1/tus/?video=v1&token=t')
    expect(up.options.metadata).toEqual({ filename: 'clip.mp4', filetype: 'video/mp4' })
    expect(up.options.storeFingerprintForResuming).toBe(true)
    expect(up.options.removeFingerprintOnSuccess).toBe(true)
    expect(up.fingerprint).toBe(fingerprintFor('v1', 'clip.mp4:1000:42'))
    expect(up.started).toBe(1)
    expect(store.all()).toHaveLength(1)
    expect(mgr.getSnapshot()[0]).toMatchObject({ phase: 'uploading', videoId: 'v1' })
  })

  it('creates videos with the visibility picked on the upload page', async () => {
    const { client, mgr } = setup()
    FakeUpload.previous = []
    mgr.add([file()], 'unlisted')
    await flush()
    expect(client.createVideo).toHaveBeenCalledWith('clip', 'unlisted')
  })

  it('tracks progress, pauses, resumes and finishes', async () => {
    const { mgr, store, tick } = setup()
    mgr.add([file()])
    await flush()
    const up = FakeUpload.last
    tick(1000)
    up.options.onProgress!(0, 1000)
    tick(1000)
    up.options.onProgress!(500, 1000)
    let e = mgr.getSnapshot()[0]
    expect(e.sent).toBe(500)
    expect(e.speed).toBeCloseTo(500)
    expect(e.eta).toBeCloseTo(1)

    mgr.pause(e.key)
    expect(up.aborted).toEqual([undefined])
    expect(mgr.getSnapshot()[0].phase).toBe('paused')
    expect(store.all()[0].sent).toBe(500)

    mgr.resume(e.key)
    expect(up.started).toBe(2)
    expect(mgr.getSnapshot()[0].phase).toBe('uploading')

    up.options.onSuccess!({ lastResponse: {} as never })
    e = mgr.getSnapshot()[0]
    expect(e.phase).toBe('processing')
    expect(store.all()).toHaveLength(0)
  })

  it('resumes an interrupted upload for the same file after a reload', async () => {
    const { client, mgr, store } = setup()
    store.put({ fileKey: 'clip.mp4:1000:42', videoId: 'old', name: 'clip.mp4', size: 1000, sent: 300, savedAt: '' })
    expect(mgr.interrupted()).toHaveLength(1)
    client.getVideo.mockResolvedValue(waiting('old'))
    const prev = { urlStorageKey: 'tus::x', uploadUrl: 'http://h/api/v1/tus/abc' } as PreviousUpload
    FakeUpload.previous = [prev]
    mgr.add([file()])
    await flush()
    expect(client.createVideo).not.toHaveBeenCalled()
    expect(FakeUpload.last.resumedFrom).toBe(prev)
    expect(FakeUpload.last.fingerprint).toBe(fingerprintFor('old', 'clip.mp4:1000:42'))
    expect(mgr.getSnapshot()[0]).toMatchObject({ resumed: true, videoId: 'old' })
    expect(mgr.interrupted()).toHaveLength(0) // running now
    FakeUpload.previous = []
  })

  it('starts over when the remembered video is gone', async () => {
    const { client, mgr, store } = setup()
    store.put({ fileKey: 'clip.mp4:1000:42', videoId: 'gone', name: 'clip.mp4', size: 1000, sent: 0, savedAt: '' })
    client.getVideo.mockRejectedValue(new ApiError(404, 'not_found', 'no'))
    mgr.add([file()])
    await flush()
    expect(client.createVideo).toHaveBeenCalled()
    expect(store.all().map((r) => r.videoId)).toEqual(['v1'])
  })

  it('shows create failures and retries them', async () => {
    const { client, mgr } = setup()
    client.createVideo.mockRejectedValueOnce(new ApiError(500, 'internal', 'boom'))
    mgr.add([file()])
    await flush()
    const e = mgr.getSnapshot()[0]
    expect(e).toMatchObject({ phase: 'error', error: 'boom' })
    mgr.resume(e.key)
    await flush()
    expect(mgr.getSnapshot()[0].phase).toBe('uploading')
  })

  it('cancels: terminates the tus upload and deletes the empty video', async () => {
    const { client, mgr, store } = setup()
    mgr.add([file()])
    await flush()
    const key = mgr.getSnapshot()[0].key
    await mgr.cancel(key)
    expect(FakeUpload.last.aborted).toEqual([true])
    expect(client.deleteVideo).toHaveBeenCalledWith('v1')
    expect(mgr.getSnapshot()).toHaveLength(0)
    expect(store.all()).toHaveLength(0)
  })

  it('discards an interrupted upload', async () => {
    const { client, mgr, store } = setup()
    const rec = { fileKey: 'a:1:1', videoId: 'old', name: 'a', size: 1, sent: 0, savedAt: '' }
    store.put(rec)
    await mgr.discard(rec)
    expect(store.all()).toHaveLength(0)
    expect(fakeTus.defaultOptions.urlStorage.removeUpload).toHaveBeenCalledWith('tus::k1')
    expect(client.deleteVideo).toHaveBeenCalledWith('old')
  })

  it('uploads several files at once', async () => {
    const { client, mgr } = setup()
    client.createVideo.mockImplementation(async (t: string) => waiting(t))
    mgr.add([file(), new File(['x'], 'b.mp3', { type: 'audio/mpeg' })])
    await flush()
    expect(mgr.getSnapshot().map((e) => e.videoId)).toEqual(['clip', 'b'])
  })
})

describe('tusMessage', () => {
  it('extracts the server message', () => {
    const err = { originalResponse: { getStatus: () => 413, getBody: () => '{"error":{"code":"too_large","message":"file too large"}}' } }
    expect(tusMessage(err)).toBe('Upload failed (HTTP 413): file too large')
  })
  it('explains dropped connections', () => {
    expect(tusMessage(new Error('tus: failed to upload chunk at offset 0'))).toMatch(/Connection lost/)
  })
})
