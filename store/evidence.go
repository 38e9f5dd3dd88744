package store

import (
	"bytes"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EvidenceMaxBytes is the largest evidence file accepted: 10 MiB.
const EvidenceMaxBytes = 10 << 20

// EvidenceSniffBytes is how much of a file's start EvidenceType needs.
const EvidenceSniffBytes = 12

// EvidenceKind is an accepted evidence file type.
type EvidenceKind struct {
	ContentType string
	Extension   string
	Label       string
}

// EvidenceKinds are the accepted evidence types, in the order the console lists them.
var EvidenceKinds = []EvidenceKind{
	{"application/pdf", ".pdf", "PDF"},
	{"image/jpeg", ".jpg", "JPEG"},
	{"image/png", ".png", "PNG"},
	{"image/webp", ".webp", "WEBP"},
}

// EvidenceType decides a file's type from its first bytes, whatever its name or declared type say:
// a renamed executable or web page is not a receipt. It returns false for anything but PDF, JPEG,
// PNG and WEBP.
func EvidenceType(head []byte) (EvidenceKind, bool) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return EvidenceKinds[0], true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return EvidenceKinds[1], true
	case bytes.HasPrefix(head, []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}):
		return EvidenceKinds[2], true
	case len(head) >= 12 && bytes.Equal(head[0:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return EvidenceKinds[3], true
	}
	return EvidenceKind{}, false
}

// maxFileName bounds a kept file name, in characters.
const maxFileName = 120

// SanitizeFileName turns a client's file name into harmless metadata: the last path element only,
// letters, digits, spaces and . _ - ( ) kept, anything else replaced, at most 120 characters, and
// the extension of the type the content really has. It is never used to find a file.
func SanitizeFileName(name string, kind EvidenceKind) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(strings.ToValidUTF8(name, ""))
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" ._-()", r):
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	base := strings.Trim(b.String(), " ._")
	if ext := path.Ext(base); strings.EqualFold(ext, kind.Extension) || (kind.Extension == ".jpg" && strings.EqualFold(ext, ".jpeg")) {
		base = strings.TrimRight(strings.TrimSuffix(base, ext), " ._")
	}
	if base == "" {
		base = "evidence"
	}
	if utf8.RuneCountInString(base) > maxFileName {
		base = string([]rune(base)[:maxFileName])
	}
	return base + kind.Extension
}
