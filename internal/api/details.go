package api

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kinema/kinema/internal/catalog"
	"github.com/kinema/kinema/internal/media"
)

// detailsPatch checks and adds the description, tags and embedding sites of
// req to p.
func detailsPatch(p *catalog.VideoPatch, req updateVideoRequest) error {
	if req.Description != nil {
		d := strings.TrimSpace(*req.Description)
		if !utf8.ValidString(d) || utf8.RuneCountInString(d) > media.MaxDescription {
			return media.Inputf("The description must be valid text of at most %d characters.", media.MaxDescription)
		}
		p.Description = &d
	}
	if req.Tags != nil {
		tags, err := media.CleanTags(req.Tags)
		if err != nil {
			return err
		}
		p.Tags = tags
	}
	if req.EmbedDomains != nil {
		domains, err := media.CleanEmbedDomains(req.EmbedDomains)
		if err != nil {
			return err
		}
		p.EmbedDomains = domains
	}
	return nil
}

// dateParam parses a list filter's date: YYYY-MM-DD (UTC; as an upper bound
// the whole day is included) or an RFC 3339 time. "" is the zero time.
func dateParam(s string, upper bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, media.Inputf("from and to are dates (2026-12-31) or RFC 3339 times.")
	}
	return t, nil
}
