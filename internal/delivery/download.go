package delivery

import (
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// downloadDir holds a video's download files (an MP4, an M4A): they are
// served as attachments, so a browser saves them instead of playing them.
const downloadDir = "download/"

// maxFilenameRunes bounds the suggested file name.
const maxFilenameRunes = 120

// attachment returns the Content-Disposition for download file rel, saved
// under the name asked for (the API puts the video's title there) or the
// file's own name. The name is not signed, so it is reduced to what cannot
// do harm: no path separators, quotes or control characters, at most 120
// characters, and it keeps the file's extension.
func attachment(rel, name string) string {
	ext := path.Ext(rel)
	base := cleanFilename(strings.TrimSuffix(name, ext))
	if base == "" {
		base = strings.TrimSuffix(path.Base(rel), ext)
	}
	// mime formats a plain ASCII name as filename="...", anything else as
	// RFC 5987 filename*=utf-8''..., which every current browser reads.
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": base + ext}); v != "" {
		return v
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(rel)})
}

func cleanFilename(s string) string {
	if !utf8.ValidString(s) {
		return ""
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= maxFilenameRunes {
			break
		}
		switch {
		case r == '/' || r == '\\' || r == '"' || r == ':' || r == '*' || r == '?' || r == '<' || r == '>' || r == '|':
			r = '_'
		case unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r): // Cf: bidi overrides
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.Trim(strings.TrimSpace(b.String()), ".")
}
