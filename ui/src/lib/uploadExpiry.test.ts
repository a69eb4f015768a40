import { describe, expect, it } from 'vitest'
import { uploadExpiry } from './uploadExpiry'

const now = new Date('2026-12-02T12:00:00Z')
const target = (expires: string, del?: string) => ({ tus_url: 't', expires_at: expires, delete_at: del })

describe('uploadExpiry', () => {
  it('counts down to the end of the upload window', () => {
    expect(uploadExpiry(target('2026-12-03T11:00:00Z', '2026-12-04T11:00:00Z'), now)).toBe('Waiting for upload — expires in 23 h')
    expect(uploadExpiry(target('2026-12-02T12:30:00Z'), now)).toBe('Waiting for upload — expires in 30 min')
  })
  it('then to the deletion', () => {
    expect(uploadExpiry(target('2026-12-02T07:00:00Z', '2026-12-03T07:00:00Z'), now)).toBe('Upload expired — removed in 19 h')
    expect(uploadExpiry(target('2026-12-01T07:00:00Z', '2026-12-02T07:00:00Z'), now)).toBe('Upload expired — removed soon')
  })
  it('says nothing without dates', () => {
    expect(uploadExpiry(undefined, now)).toBe('')
    expect(uploadExpiry({ tus_url: 't' }, now)).toBe('')
  })
})
