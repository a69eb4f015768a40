// Types of the admin dashboard's endpoints (#15): the queue, workers,
// storage, throughput, webhooks and per-user quotas. The calls are
// ApiClient methods (api.ts).

import type { User } from './api'

export type JobState = 'available' | 'scheduled' | 'running' | 'retryable' | 'completed' | 'cancelled' | 'discarded' | 'pending'

export interface JobInfo {
  id: number
  kind: string
  state: JobState
  queue: string
  video_id?: string
  run?: number
  attempt: number
  max_attempts: number
  worker?: string
  workers_lost?: number
  created_at: string
  scheduled_at: string
  attempted_at?: string
  finalized_at?: string
  last_error?: string
}

export interface WorkerInfo {
  id: string
  last_seen?: string
  alive: boolean
  running: number
}

export interface JobOverview {
  counts: { kind: string; state: JobState; count: number }[]
  workers: WorkerInfo[]
  lease_seconds: number
}

export interface JobRetry {
  retried: 'video' | 'job'
  video_id?: string
  job?: JobInfo
}

export interface PrefixUsage {
  name: string
  prefix: string
  bytes: number
  objects?: number
  measured: 'catalog' | 'store'
  partial?: boolean
}

export interface StorageReport {
  prefixes: PrefixUsage[]
  videos: number
  owners: { owner_id: string; email?: string; videos: number; source_bytes: number; media_bytes: number }[]
  largest: { id: string; title: string; owner_id: string; source_bytes: number; media_bytes: number }[]
  computed_at: string
}

export interface ThroughputBucket {
  start: string
  videos: number
  media_seconds: number
  processing_seconds: number
}

export interface Throughput {
  since: string
  bucket_seconds: number
  buckets: ThroughputBucket[]
}

export type WebhookEventType = 'upload.completed' | 'video.playable' | 'video.ready' | 'video.failed'
export const WEBHOOK_EVENTS: WebhookEventType[] = ['upload.completed', 'video.playable', 'video.ready', 'video.failed']

export interface WebhookEndpoint {
  id: string
  owner_id: string
  url: string
  events: WebhookEventType[]
  created_at: string
  disabled: boolean
}

export interface WebhookDelivery {
  id: string
  endpoint_id: string
  event: string
  state: 'pending' | 'delivered' | 'failed'
  attempts: number
  response_code: number
  last_error: string
  created_at: string
  updated_at: string
}

/** QuotaUsage: the quotas in force (0: none) and what the user uses now. */
export interface QuotaUsage {
  processing_minutes: number
  period_seconds: number
  used_processing_minutes: number
  storage_bytes: number
  used_storage_bytes: number
}

/** UserDetail is GET /users/{id}: the account, its overrides (null: the server default) and usage. */
export interface UserDetail extends User {
  quota_processing_minutes: number | null
  quota_storage_bytes: number | null
  quota: QuotaUsage
}

/** QuotaPatch: null returns an override to the server default, 0 means no quota. */
export interface QuotaPatch {
  quota_processing_minutes?: number | null
  quota_storage_bytes?: number | null
}
