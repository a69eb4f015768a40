// AudioVisual fills the picture area for audio-only items: the poster if
// there is one, otherwise an equalizer that moves while playing, so the page
// does not show a dead black box.

export function AudioVisual({ poster, playing, title }: { poster?: string; playing: boolean; title?: string }) {
  return (
    <div className={`audio-visual${playing ? ' playing' : ''}`} data-testid="audio-visual">
      {poster ? (
        <img src={poster} alt="" />
      ) : (
        <div className="eq" aria-hidden="true">
          {Array.from({ length: 7 }, (_, i) => (
            <span key={i} style={{ animationDelay: `${(i * 137) % 600}ms` }} />
          ))}
        </div>
      )}
      {title && <div className="audio-title">{title}</div>}
    </div>
  )
}
