// The audio menu: one entry per audio rendition of the HLS audio group
// (languages and channel layouts), labelled by the manifest's NAME. Pure
// functions so the labelling is unit-tested apart from hls.js.

export interface AudioTrackInfo {
  /** The rendition's NAME: "English", "Version française", "5.1". */
  name: string
  /** RFC 5646 language tag, when the track has one. */
  lang?: string
  default?: boolean
}

export interface AudioOption {
  /** Index into the track list (hls.js audioTrack). */
  value: number
  label: string
}

/** audioOptions labels each track by name, falling back to its language, then its position; equal labels get a number. */
export function audioOptions(tracks: AudioTrackInfo[]): AudioOption[] {
  const labels = tracks.map((t, i) => t.name?.trim() || t.lang?.trim() || `Track ${i + 1}`)
  const seen = new Map<string, number>()
  return labels.map((label, i) => {
    const n = (seen.get(label) ?? 0) + 1
    seen.set(label, n)
    return { value: i, label: n > 1 ? `${label} (${n})` : label }
  })
}

/** audioButtonLabel is what the closed menu shows: the playing track's label. */
export function audioButtonLabel(tracks: AudioTrackInfo[], current: number): string {
  const opts = audioOptions(tracks)
  return opts[current]?.label ?? 'Audio'
}
