package main

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// probed is what ffprobe says about a downloaded rendition.
type probed struct {
	Width, Height int
	Channels      int
	Duration      float64
	Keyframes     []float64 // video packet times flagged K
	Frames        int
}

func ffprobe(t *testing.T, file string) probed {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries",
		"stream=codec_type,width,height,channels:format=duration:packet=pts_time,flags,codec_type",
		"-of", "json", file).Output()
	require.NoError(t, err, "ffprobe %s", file)
	var r struct {
		Streams []struct {
			CodecType     string `json:"codec_type"`
			Width, Height int
			Channels      int
		}
		Packets []struct {
			CodecType string `json:"codec_type"`
			PTS       string `json:"pts_time"`
			Flags     string `json:"flags"`
		}
		Format struct{ Duration string }
	}
	require.NoError(t, json.Unmarshal(out, &r))
	var p probed
	for _, s := range r.Streams {
		if s.CodecType == "video" {
			p.Width, p.Height = s.Width, s.Height
		}
		if s.CodecType == "audio" {
			p.Channels = s.Channels
		}
	}
	p.Duration, _ = strconv.ParseFloat(r.Format.Duration, 64)
	for _, pk := range r.Packets {
		if pk.CodecType != "video" {
			continue
		}
		p.Frames++
		if strings.Contains(pk.Flags, "K") {
			ts, _ := strconv.ParseFloat(pk.PTS, 64)
			p.Keyframes = append(p.Keyframes, ts)
		}
	}
	return p
}
