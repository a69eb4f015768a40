package api

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"

	"github.com/kinema/kinema/internal/media"
)

// Audio tracks added after upload (#14). The pipeline does the work: it
// probes the file, stores it and queues the job that encodes it into the
// video's audio ladder and republishes the manifests.

// listAudio lists the audio tracks added to a video.
func (s *Server) listAudio(w http.ResponseWriter, r *http.Request) {
	v, err := s.visibleVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	tracks, err := s.Catalog.AudioUploads(r.Context(), v.ID)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"audio": tracks})
}

// addAudio takes an audio file (the body itself, or a multipart form's
// "file") for a ready video, with ?language= and ?name=.
func (s *Server) addAudio(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if s.AddAudioFunc == nil {
		writeCode(w, http.StatusNotImplemented, "not_implemented", "Audio tracks cannot be added on this server.")
		return
	}
	q := r.URL.Query()
	lang, name := strings.TrimSpace(q.Get("language")), strings.TrimSpace(q.Get("name"))
	if !media.ValidLanguage(lang) || lang == "und" {
		writeError(w, s.Log, media.Inputf("language must be a BCP 47 tag such as en, fr or pt-BR."))
		return
	}
	if name == "" {
		name = media.LanguageName(lang)
	}
	if !media.ValidLabel(name) {
		writeError(w, s.Log, media.Inputf("name must be 1 to 100 characters, without quotes or control characters."))
		return
	}
	if v.Status != media.StatusReady || v.Kind != media.KindVideo {
		writeCode(w, http.StatusConflict, "conflict", "An audio track can be added once the video is ready, and only to a video with a picture.")
		return
	}
	body := io.Reader(r.Body)
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		part, err := formFile(multipart.NewReader(r.Body, params["boundary"]), "file")
		if err != nil {
			writeError(w, s.Log, err)
			return
		}
		body = part
	}
	f, err := os.CreateTemp(s.SpoolDir, "kinema-audio-*")
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	defer os.Remove(f.Name())
	n, err := io.Copy(f, io.LimitReader(body, media.MaxAudioUploadBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		writeError(w, s.Log, media.Inputf("The body could not be read."))
		return
	case n > media.MaxAudioUploadBytes:
		writeCode(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("An audio file may be at most %d MiB.", media.MaxAudioUploadBytes>>20))
		return
	case n == 0:
		writeError(w, s.Log, media.Inputf("Send the audio file as the body."))
		return
	}
	a, err := s.AddAudioFunc(r.Context(), v.ID, lang, name, f.Name())
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

// deleteAudio removes an added audio track.
func (s *Server) deleteAudio(w http.ResponseWriter, r *http.Request) {
	v, err := s.editableVideo(r)
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	if s.DeleteAudioFunc == nil {
		writeCode(w, http.StatusNotImplemented, "not_implemented", "Audio tracks cannot be removed on this server.")
		return
	}
	if err := s.DeleteAudioFunc(r.Context(), v.ID, r.PathValue("track")); err != nil {
		writeError(w, s.Log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
