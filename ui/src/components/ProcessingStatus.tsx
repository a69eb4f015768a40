// ProcessingStatus polls one video every second and renders its processing
// state; used under each finished upload.

import type { Video } from '../lib/api'
import { canEdit, useSession } from '../lib/session'
import { usePolledVideo } from '../lib/usePolledVideo'
import { ProcessingView } from './ProcessingView'

export function ProcessingStatus({ id, initial }: { id: string; initial?: Video }) {
  const session = useSession()
  const { video, error, reload } = usePolledVideo(id, 1000, initial)
  if (!video) {
    return error ? <p className="error-text">{error.message}</p> : <ProcessingView video={{ id, title: '', status: 'queued' }} />
  }
  // Retrying runs the pipeline again: for the video's owner and admins.
  const onRetry = canEdit(session, video) ? async () => reload(await session.client.retryVideo(id)) : undefined
  return <ProcessingView video={video} onRetry={onRetry} />
}
