// UsersPage is the admin's: every account with its role, groups and state,
// adding accounts, invite links, and the sign-up settings.

import { useCallback, useState } from 'react'
import { asApiError, type User } from '../lib/api'
import { useSession } from '../lib/session'
import { useLoad } from '../lib/useLoad'
import { AddUserForm } from '../components/admin/AddUserForm'
import { InviteBox } from '../components/admin/InviteBox'
import { SignupSettings } from '../components/admin/SignupSettings'
import { UserRow } from '../components/admin/UserRow'
import { LoadError } from '../components/EmptyState'

export function UsersPage() {
  const { client, user: me } = useSession()
  const [epoch, setEpoch] = useState(0)
  const [users, failed, setUsers] = useLoad<User[]>((signal) => client.listUsers(signal), [client, epoch])
  const error = failed === undefined ? undefined : asApiError(failed)

  const changed = useCallback((u: User) => setUsers((list) => list?.map((x) => (x.id === u.id ? u : x))), [])
  const deleted = useCallback((id: string) => setUsers((list) => list?.filter((x) => x.id !== id)), [])
  const added = useCallback((u: User) => setUsers((list) => [...(list ?? []), u]), [])

  return (
    <main className="page page-narrow admin">
      <h1 className="page-title">Users and sign-up</h1>
      <section className="card admin-card" aria-label="Users">
        <h2 className="section-title">Users{users ? ` (${users.length})` : ''}</h2>
        {error && !users ? (
          <LoadError what="the users" error={error} onRetry={() => setEpoch((n) => n + 1)} />
        ) : !users ? (
          <div className="skeleton" style={{ height: 120, borderRadius: 8 }} aria-busy="true" />
        ) : (
          <ul className="user-list">
            {users.map((u) => (
              <UserRow key={u.id} user={u} me={u.id === me?.id} client={client} onChanged={changed} onDeleted={deleted} />
            ))}
          </ul>
        )}
      </section>
      <AddUserForm client={client} onAdded={added} />
      <InviteBox client={client} />
      <SignupSettings client={client} />
    </main>
  )
}
