package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"

	"github.com/kinema/kinema/internal/api"
	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/config"
	"github.com/kinema/kinema/internal/delivery"
	"github.com/kinema/kinema/internal/media"
	"github.com/kinema/kinema/internal/pipeline/ffmpeg"
	"github.com/kinema/kinema/internal/storage"
	"github.com/kinema/kinema/internal/thumbnail"
)

// pictureFunc serves /media/{id}/thumbnail.jpg|.webp?time=&width= and
// animated.webp?start=&end=&width= from the published renditions (#14),
// cached under the data directory, two ffmpeg runs at a time.
func pictureFunc(cfg config.Config, cat *catalog.Catalog, store storage.Store, ff *ffmpeg.Runner) (delivery.PictureFunc, *thumbnail.Generator, error) {
	gen, err := thumbnail.New(store, ff, filepath.Join(cfg.DataDir, "pictures"), 2)
	if err != nil {
		return nil, nil, err
	}
	return func(ctx context.Context, id, file string, q url.Values) (string, error) {
		req, err := pictureRequest(file, q)
		if err != nil {
			return "", err
		}
		v, err := cat.Video(ctx, id)
		if errors.Is(err, media.ErrNotFound) {
			return "", delivery.ErrNoPicture
		}
		if err != nil {
			return "", err
		}
		path, err := gen.Picture(ctx, id, v.Renditions, req)
		switch {
		case errors.Is(err, thumbnail.ErrOutOfRange):
			return "", fmt.Errorf("%w: %v", delivery.ErrPictureRequest, err)
		case errors.Is(err, thumbnail.ErrNoVideo), errors.Is(err, storage.ErrNotFound):
			return "", delivery.ErrNoPicture
		}
		return path, err
	}, gen, nil
}

// posters is the API's api.Posters: frames and uploaded images made into
// JPEGs by the picture generator, published under media/<id>/.
type posters struct {
	gen   *thumbnail.Generator
	store storage.Store
}

var _ api.Posters = posters{}

func (p posters) PosterAt(ctx context.Context, v media.Video, t float64) ([]byte, error) {
	jpg, err := p.gen.PosterAt(ctx, v.ID, v.Renditions, t)
	switch {
	case errors.Is(err, thumbnail.ErrOutOfRange):
		return nil, media.Inputf("There is no frame at %.1f s.", t)
	case errors.Is(err, thumbnail.ErrNoVideo):
		return nil, fmt.Errorf("poster of %s: %w", v.ID, media.ErrConflict)
	}
	return jpg, err
}

func (p posters) PosterFromImage(ctx context.Context, image []byte) ([]byte, error) {
	return p.gen.PosterFromImage(ctx, image)
}

func (p posters) PublishPoster(ctx context.Context, videoID, name string, jpg []byte) error {
	if !thumbnail.ValidPosterName(name) {
		return fmt.Errorf("poster name %q", name)
	}
	_, err := p.store.Put(ctx, "media/"+videoID+"/"+name, bytes.NewReader(jpg))
	return err
}

func (p posters) RemovePoster(ctx context.Context, videoID, name string) error {
	if !thumbnail.ValidPosterName(name) {
		return nil // never anything but a poster
	}
	err := p.store.Delete(ctx, "media/"+videoID+"/"+name)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

func (posters) NewPosterName() string { return thumbnail.NewPosterName() }

// pictureRequest reads and bounds a picture query.
func pictureRequest(file string, q url.Values) (thumbnail.Request, error) {
	num := func(key string) (float64, error) {
		s := q.Get(key)
		if s == "" {
			return 0, nil
		}
		if len(s) > 16 {
			return 0, delivery.ErrPictureRequest
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, delivery.ErrPictureRequest
		}
		return v, nil
	}
	var r thumbnail.Request
	var err error
	w, err := num("width")
	if err != nil || w != float64(int(w)) {
		return r, delivery.ErrPictureRequest
	}
	r.Width = int(w)
	switch file {
	case "thumbnail.jpg", "thumbnail.webp":
		r.Format = filepath.Ext(file)[1:]
		r.Time, err = num("time")
	case "animated.webp":
		r.Format = "animated"
		if r.Time, err = num("start"); err == nil {
			r.End, err = num("end")
		}
	}
	if err != nil {
		return r, err
	}
	r, err = r.Normalize()
	if err != nil {
		return r, delivery.ErrPictureRequest
	}
	return r, nil
}
