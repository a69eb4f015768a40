// tus-upload.mjs uploads one file with the real tus-js-client in Node, for
// the Go end-to-end tests (e2e/tus_test.go). Usage:
//
//   node ui/scripts/tus-upload.mjs '{"endpoint": "...", "file": "...", ...}'
//
// Options: endpoint and file (required); parallel (parallelUploads, default
// 1); chunkSize (bytes, default whole file); urlStorage (a JSON file that
// keeps upload URLs between runs, so a second run resumes); fingerprint
// (default "kinema-e2e"); stallAfter (bytes: the first PATCH that would pass
// this total sends up to it and then stalls until its connection breaks, so
// the server can be killed mid-request); loseFinalResponse (true: the answer
// to the parallel upload's final POST is dropped once, as by a network
// failure, after the server handled the request).
//
// It prints one JSON line per HTTP response ({"event":"response","method",
// "status","offset"}), {"event":"stalled","at":N} when it stalls, and finally
// {"event":"lost","status"} for a dropped answer, and finally
// {"event":"success","url"} (exit 0) or {"event":"error","message"} (exit 1).

import { Readable } from 'node:stream'
import { readFileSync } from 'node:fs'
import { Upload, FileUrlStorage, DefaultHttpStack } from 'tus-js-client'

const opts = JSON.parse(process.argv[2] ?? '{}')
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n')

// stallingStack sends PATCH bodies as a stream that stops at stallAfter bytes
// of the whole file (once), and reports every response.
class StallingStack {
  constructor(inner, stallAfter, loseFinalResponse) {
    this.inner = inner
    this.stallAfter = stallAfter
    this.stalled = false
    this.loseFinal = Boolean(loseFinalResponse)
  }
  getName() {
    return 'stalling(' + this.inner.getName() + ')'
  }
  createRequest(method, url) {
    const req = this.inner.createRequest(method, url)
    const stack = this
    const send = req.send.bind(req)
    req.send = (body) => {
      if (method === 'POST' && stack.loseFinal && String(req.getHeader('Upload-Concat') ?? '').startsWith('final;')) {
        stack.loseFinal = false
        return send(body).then((res) => {
          print({ event: 'lost', status: res.getStatus() })
          throw new Error('tus-upload.mjs: the answer to the final request was lost')
        })
      }
      const offset = Number(req.getHeader('Upload-Offset') ?? 0)
      if (method !== 'PATCH' || stack.stalled || !(body instanceof Uint8Array) || stack.stallAfter === undefined) return send(body)
      const cut = stack.stallAfter - offset
      if (cut <= 0 || cut >= body.length) return send(body)
      stack.stalled = true
      req.setHeader('Content-Length', String(body.length))
      let pushed = false
      const partial = new Readable({
        read() {
          if (pushed) return // never ends: the server goes away first
          pushed = true
          this.push(Buffer.from(body.subarray(0, cut)))
          print({ event: 'stalled', at: offset + cut })
        },
      })
      return send(partial)
    }
    return req
  }
}

const data = readFileSync(opts.file)
const stack = new StallingStack(new DefaultHttpStack(), opts.stallAfter, opts.loseFinalResponse)
const upload = new Upload(data, {
  endpoint: opts.endpoint,
  httpStack: stack,
  chunkSize: opts.chunkSize ?? Infinity,
  parallelUploads: opts.parallel ?? 1,
  urlStorage: opts.urlStorage ? new FileUrlStorage(opts.urlStorage) : undefined,
  storeFingerprintForResuming: Boolean(opts.urlStorage),
  removeFingerprintOnSuccess: false,
  fingerprint: () => Promise.resolve(opts.fingerprint ?? 'kinema-e2e'),
  metadata: { filename: 'e2e.mp4', filetype: 'video/mp4' },
  // Enough retries to outlast a server restart on a busy machine.
  retryDelays: [250, 500, 1000, 1000, 2000, 2000, 3000, 3000, 5000, 5000, 5000, 10000, 10000, 10000],
  onAfterResponse: (req, res) => {
    print({ event: 'response', method: req.getMethod(), status: res.getStatus(), offset: res.getHeader('Upload-Offset') ?? null })
  },
  onSuccess: () => {
    print({ event: 'success', url: upload.url })
    process.exit(0)
  },
  onError: (err) => {
    print({ event: 'error', message: String(err && err.message ? err.message : err) })
    process.exit(1)
  },
})

const previous = opts.urlStorage ? await upload.findPreviousUploads() : []
if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0])
upload.start()
