// WebhooksPanel: every webhook endpoint on the server (an admin's view of
// /api/v1/webhooks?all=1): add one (its signing secret is shown once),
// send a test event, see the latest deliveries, delete (two clicks).

import { useCallback, useEffect, useState } from 'react'
import { WEBHOOK_EVENTS, type WebhookDelivery, type WebhookEndpoint, type WebhookEventType } from '../../lib/adminApi'
import type { ApiClient } from '../../lib/api'
import { formatDateTime } from '../../lib/format'
import { SecretOnce } from '../SecretOnce'
import { errorText } from '../../lib/errors'

type Client = Pick<ApiClient, 'listWebhooks' | 'createWebhook' | 'deleteWebhook' | 'listWebhookDeliveries' | 'testWebhook'>

export function WebhooksPanel({ client, owners }: { client: Client; owners?: Map<string, string> }) {
  const [hooks, setHooks] = useState<WebhookEndpoint[]>()
  const [error, setError] = useState('')
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<WebhookEventType[]>(['video.ready', 'video.failed'])
  const [busy, setBusy] = useState(false)
  const [secret, setSecret] = useState<{ id: string; secret: string }>()

  const load = useCallback(
    (signal?: AbortSignal) =>
      client.listWebhooks(true, signal).then(
        (h) => {
          setHooks(h)
          setError('')
        },
        (e: unknown) => {
          if (!signal?.aborted) setError(errorText(e))
        },
      ),
    [client],
  )
  useEffect(() => {
    const ctrl = new AbortController()
    void load(ctrl.signal)
    return () => ctrl.abort()
  }, [load])

  const create = async () => {
    setBusy(true)
    setError('')
    try {
      const r = await client.createWebhook(url.trim(), events)
      setSecret({ id: r.webhook.id, secret: r.secret })
      setUrl('')
      await load()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card dash-card" aria-label="Webhooks">
      <h2 className="section-title">Webhooks{hooks ? ` (${hooks.length})` : ''}</h2>
      <form
        className="webhook-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (!url.trim() || events.length === 0) return setError('Give a URL and at least one event.')
          void create()
        }}
      >
        <input
          className="input"
          type="url"
          aria-label="Webhook URL"
          placeholder="https://example.com/kinema-events"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <fieldset className="webhook-events">
          <legend className="muted small">Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <label key={ev} className="check small">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) => setEvents((list) => (e.target.checked ? [...list, ev] : list.filter((x) => x !== ev)))}
              />
              {ev}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
          Add webhook
        </button>
      </form>
      {secret && (
        <SecretOnce label="Signing secret" value={secret.secret} testId="webhook-secret">
          The HMAC key of the Kinema-Signature header of every event sent to {secret.id}.
        </SecretOnce>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {hooks && hooks.length === 0 && <p className="muted small">No webhooks. Add one to be told when videos are ready or fail.</p>}
      {hooks && hooks.length > 0 && (
        <ul className="job-list">
          {hooks.map((h) => (
            <WebhookRow
              key={h.id}
              hook={h}
              owner={owners?.get(h.owner_id)}
              client={client}
              onDeleted={() => {
                setHooks((list) => list?.filter((x) => x.id !== h.id))
                if (secret?.id === h.id) setSecret(undefined)
              }}
            />
          ))}
        </ul>
      )}
    </section>
  )
}

function WebhookRow({ hook, owner, client, onDeleted }: { hook: WebhookEndpoint; owner?: string; client: Client; onDeleted: () => void }) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>()
  const [open, setOpen] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const [note, setNote] = useState('')

  const loadDeliveries = useCallback(() => client.listWebhookDeliveries(hook.id).then(setDeliveries), [client, hook.id])
  useEffect(() => {
    if (!open) return
    // Deliveries go out in the background: refresh while the list is open.
    void loadDeliveries().catch(() => undefined)
    const t = setInterval(() => void loadDeliveries().catch(() => undefined), 3000)
    return () => clearInterval(t)
  }, [open, loadDeliveries])

  const act = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError('')
    setNote('')
    try {
      await fn()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <li className="job-row webhook-row" data-testid="webhook-row" data-url={hook.url}>
      <div className="job-main">
        <strong className="wrap">{hook.url}</strong>
        <span className="muted small">
          {hook.events.join(', ')} · {owner ?? hook.owner_id} · added {formatDateTime(hook.created_at)}
          {hook.disabled && ' · disabled'}
        </span>
      </div>
      <div className="user-controls">
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          onClick={() =>
            void act(async () => {
              await client.testWebhook(hook.id)
              setNote('Test event queued.')
              setOpen(true)
              await loadDeliveries()
            })
          }
        >
          Send test
        </button>
        <button type="button" className="btn btn-small" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          Deliveries
        </button>
        <button
          type="button"
          className={`btn btn-small${confirming ? ' btn-danger' : ''}`}
          disabled={busy}
          aria-label={confirming ? `Confirm delete webhook ${hook.url}` : `Delete webhook ${hook.url}`}
          onBlur={() => setConfirming(false)}
          onClick={() => {
            if (!confirming) return setConfirming(true)
            void act(async () => {
              await client.deleteWebhook(hook.id)
              onDeleted()
            })
          }}
        >
          {confirming ? 'Delete?' : 'Delete'}
        </button>
      </div>
      {note && (
        <p className="ok small" role="status">
          {note}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {open && (
        <div className="deliveries" data-testid="webhook-deliveries">
          {!deliveries && <p className="muted small">Loading…</p>}
          {deliveries && deliveries.length === 0 && <p className="muted small">Nothing sent yet.</p>}
          {deliveries && deliveries.length > 0 && (
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th>Event</th>
                    <th>State</th>
                    <th className="num">Tries</th>
                    <th>Answer</th>
                    <th>When</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.slice(0, 10).map((d) => (
                    <tr key={d.id} data-testid="delivery-row" data-state={d.state}>
                      <td>{d.event}</td>
                      <td className={d.state === 'failed' ? 'error-text' : d.state === 'delivered' ? 'ok' : ''}>{d.state}</td>
                      <td className="num">{d.attempts}</td>
                      <td className="wrap">{d.response_code ? `HTTP ${d.response_code}` : d.last_error || '–'}</td>
                      <td>{formatDateTime(d.updated_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </li>
  )
}
