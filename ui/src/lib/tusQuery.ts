// The tus endpoint authorises with a query string (?video=ID&token=T). The
// creation POST keeps it because tus-js-client posts to `endpoint` verbatim,
// but later requests go to the Location the server returned, resolved against
// the endpoint, which drops the query unless the server repeated it. This
// HttpStack wrapper copies any missing parameters onto every request so
// HEAD/PATCH stay authorised whichever way the server answers.

import type { HttpRequest, HttpStack } from 'tus-js-client'

/** withParams adds to url each parameter of `from` that url does not already have. */
export function withParams(url: string, from: string): string {
  let u: URL
  let src: URL
  try {
    u = new URL(url)
    src = new URL(from)
  } catch {
    return url
  }
  let changed = false
  src.searchParams.forEach((v, k) => {
    if (!u.searchParams.has(k)) {
      u.searchParams.set(k, v)
      changed = true
    }
  })
  return changed ? u.toString() : url
}

export class QueryHttpStack implements HttpStack {
  private readonly inner: HttpStack
  private readonly from: string

  constructor(inner: HttpStack, from: string) {
    this.inner = inner
    this.from = from
  }

  createRequest(method: string, url: string): HttpRequest {
    return this.inner.createRequest(method, withParams(url, this.from))
  }

  getName(): string {
    return `kinema-query(${this.inner.getName()})`
  }
}
