// StoragePanel: what the store holds per prefix (sources, published media,
// downloads, live, work files), per owner and the largest videos. Sources
// and media come from sizes the catalog records (cheap on any store); the
// rest is listed by the server, which keeps the report 30 s.

import { useState } from 'react'
import type { StorageReport } from '../../lib/adminApi'
import type { ApiClient } from '../../lib/api'
import { formatBytes, formatDateTime } from '../../lib/format'
import { errorText } from '../../lib/errors'
import { useLoad } from '../../lib/useLoad'
import { Link } from '../Link'

const NAMES: Record<string, string> = {
  sources: 'Sources (uploads)',
  media: 'Published media',
  downloads: 'Downloads',
  live: 'Live (DVR)',
  work: 'Work files',
}

export function StoragePanel({ client, epoch }: { client: Pick<ApiClient, 'adminStorage'>; epoch: number }) {
  const [fresh, setFresh] = useState(0)
  const [report, failed] = useLoad<StorageReport>((signal) => client.adminStorage(fresh > 0, signal), [client, epoch, fresh])
  const error = errorText(failed)

  const total = report?.prefixes.reduce((n, p) => n + p.bytes, 0) ?? 0
  return (
    <section className="card dash-card" aria-label="Storage">
      <div className="page-head">
        <h2 className="section-title">Storage {report && <span className="muted small">({formatBytes(total)})</span>}</h2>
        <button type="button" className="btn btn-small" onClick={() => setFresh((n) => n + 1)}>
          Recount
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {report && (
        <>
          <ul className="bar-list storage-bars">
            {report.prefixes.map((p) => (
              <li key={p.name} data-testid="storage-prefix" data-name={p.name} data-bytes={p.bytes}>
                <span className="bar-label" title={p.prefix}>
                  {NAMES[p.name] ?? p.name}
                </span>
                <span className="bar-track">
                  <span className="bar-fill" style={{ width: `${total ? (100 * p.bytes) / total : 0}%` }} />
                </span>
                <span className="bar-value">
                  {formatBytes(p.bytes)}
                  {p.objects !== undefined && ` · ${p.objects} file${p.objects === 1 ? '' : 's'}`}
                  {p.partial && ' (partly counted)'}
                </span>
              </li>
            ))}
          </ul>
          <p className="muted small">
            Sources and media as recorded at upload and publish; the rest listed from the store. Counted {formatDateTime(report.computed_at)}.
          </p>
          {report.owners.length > 0 && (
            <div className="table-scroll">
              <table className="table" aria-label="Storage per owner">
                <thead>
                  <tr>
                    <th>Owner</th>
                    <th className="num">Videos</th>
                    <th className="num">Sources</th>
                    <th className="num">Media</th>
                  </tr>
                </thead>
                <tbody>
                  {report.owners.map((o) => (
                    <tr key={o.owner_id} data-testid="storage-owner">
                      <td className="wrap">{o.email || <span className="muted">API key {o.owner_id}</span>}</td>
                      <td className="num">{o.videos}</td>
                      <td className="num">{formatBytes(o.source_bytes)}</td>
                      <td className="num">{formatBytes(o.media_bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {report.largest.length > 0 && (
            <div className="table-scroll">
              <table className="table" aria-label="Largest videos">
                <thead>
                  <tr>
                    <th>Largest videos</th>
                    <th className="num">Source</th>
                    <th className="num">Media</th>
                  </tr>
                </thead>
                <tbody>
                  {report.largest.map((v) => (
                    <tr key={v.id}>
                      <td className="wrap">
                        <Link href={`/watch/${encodeURIComponent(v.id)}`}>{v.title || v.id}</Link>
                      </td>
                      <td className="num">{formatBytes(v.source_bytes)}</td>
                      <td className="num">{formatBytes(v.media_bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  )
}
