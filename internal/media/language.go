package media

import "strings"

// languages maps ISO 639-2 codes (bibliographic and terminology forms) and
// ISO 639-1 codes to the ISO 639-1 code and the English name of the
// language. Containers tag streams with either form (mp4 and mkv with
// 639-2); HLS and DASH want an RFC 5646 tag, which for these languages is
// the two-letter code.
// It is filled once and only read.
var languages = func() map[string][2]string {
	m := map[string][2]string{}
	for _, l := range [][4]string{
		// 639-1, 639-2/T, 639-2/B, English name
		{"ar", "ara", "ara", "Arabic"}, {"bg", "bul", "bul", "Bulgarian"}, {"bn", "ben", "ben", "Bengali"},
		{"ca", "cat", "cat", "Catalan"}, {"cs", "ces", "cze", "Czech"}, {"da", "dan", "dan", "Danish"},
		{"de", "deu", "ger", "German"}, {"el", "ell", "gre", "Greek"}, {"en", "eng", "eng", "English"},
		{"es", "spa", "spa", "Spanish"}, {"et", "est", "est", "Estonian"}, {"eu", "eus", "baq", "Basque"},
		{"fa", "fas", "per", "Persian"}, {"fi", "fin", "fin", "Finnish"}, {"fr", "fra", "fre", "French"},
		{"ga", "gle", "gle", "Irish"}, {"gl", "glg", "glg", "Galician"}, {"he", "heb", "heb", "Hebrew"},
		{"hi", "hin", "hin", "Hindi"}, {"hr", "hrv", "hrv", "Croatian"}, {"hu", "hun", "hun", "Hungarian"},
		{"id", "ind", "ind", "Indonesian"}, {"is", "isl", "ice", "Icelandic"}, {"it", "ita", "ita", "Italian"},
		{"ja", "jpn", "jpn", "Japanese"}, {"ko", "kor", "kor", "Korean"}, {"lt", "lit", "lit", "Lithuanian"},
		{"lv", "lav", "lav", "Latvian"}, {"ms", "msa", "may", "Malay"}, {"nb", "nob", "nob", "Norwegian Bokmål"},
		{"nl", "nld", "dut", "Dutch"}, {"no", "nor", "nor", "Norwegian"}, {"pl", "pol", "pol", "Polish"},
		{"pt", "por", "por", "Portuguese"}, {"ro", "ron", "rum", "Romanian"}, {"ru", "rus", "rus", "Russian"},
		{"sk", "slk", "slo", "Slovak"}, {"sl", "slv", "slv", "Slovenian"}, {"sr", "srp", "srp", "Serbian"},
		{"sv", "swe", "swe", "Swedish"}, {"sw", "swa", "swa", "Swahili"}, {"ta", "tam", "tam", "Tamil"},
		{"th", "tha", "tha", "Thai"}, {"tr", "tur", "tur", "Turkish"}, {"uk", "ukr", "ukr", "Ukrainian"},
		{"ur", "urd", "urd", "Urdu"}, {"vi", "vie", "vie", "Vietnamese"}, {"zh", "zho", "chi", "Chinese"},
	} {
		for _, code := range l[:3] {
			m[code] = [2]string{l[0], l[3]}
		}
	}
	return m
}()

// NormalizeLanguage turns a container's language tag into an RFC 5646
// primary language tag: the two-letter code when the language has one,
// otherwise the tag lowercased when it is 2 or 3 letters. Empty, "und"
// (undetermined), "mul", "zxx" and anything else return "".
func NormalizeLanguage(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if l, ok := languages[tag]; ok {
		return l[0]
	}
	if primary, _, _ := strings.Cut(tag, "-"); primary != tag {
		if l, ok := languages[primary]; ok {
			return l[0]
		}
	}
	switch tag {
	case "", "und", "mul", "zxx", "mis":
		return ""
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, c := range tag {
		if c < 'a' || c > 'z' {
			return ""
		}
	}
	return tag
}

// LanguageName returns the English name of a normalized language tag, or
// the tag itself when it is not known.
func LanguageName(tag string) string {
	if l, ok := languages[tag]; ok {
		return l[1]
	}
	return tag
}
