// AudioMenu lets the viewer pick the audio track: another language or
// channel layout of the same video. Hidden when there is only one.

import { audioButtonLabel, audioOptions, type AudioTrackInfo } from '../lib/audioTracks'
import { Icon } from './Icon'
import { PlayerMenu } from './PlayerMenu'

export function AudioMenu({
  tracks,
  current,
  onSelect,
}: {
  tracks: AudioTrackInfo[]
  current: number
  onSelect: (index: number) => void
}) {
  if (tracks.length < 2) return null
  const options = audioOptions(tracks).map((o) => ({ ...o, lang: tracks[o.value]?.lang }))
  return (
    <PlayerMenu
      options={options}
      selected={current}
      onSelect={onSelect}
      label={`Audio track: ${audioButtonLabel(tracks, current)}`}
      title="Audio track"
      testId="audio-button"
      itemData="audio-track"
      button={
        <>
          <Icon name="volume" size={18} />
          <span>{audioButtonLabel(tracks, current)}</span>
        </>
      }
    />
  )
}
