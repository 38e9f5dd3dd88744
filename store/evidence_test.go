package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestBlobsRoundTripAcrossChunks(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	blobs := st.Blobs()
	content := make([]byte, 3*256<<10+17) // a few chunks and a tail
	for i := range content {
		content[i] = byte(i * 7)
	}
	b, err := blobs.Put(ctx, "application/pdf", "slip.pdf", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if b.Size != int64(len(content)) || !bytes.Equal(b.SHA256, sum[:]) || b.Key == "" {
		t.Fatalf("blob %+v", b)
	}
	got, r, err := blobs.Open(ctx, b.Key)
	if err != nil {
		t.Fatal(err)
	}
	read, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(read, content) || got.ContentType != "application/pdf" || got.FileName != "slip.pdf" {
		t.Fatalf("read back %d bytes, %v, %+v", len(read), err, got)
	}
	var chunks int
	st.DB().Get(&chunks, `SELECT count(*) FROM blob_chunks WHERE blob_key = $1`, b.Key)
	if chunks != 4 {
		t.Errorf("%d chunks, want 4", chunks)
	}
	// A file whose rows were damaged is not served as if it were whole.
	st.DB().Exec(`DELETE FROM blob_chunks WHERE blob_key = $1 AND seq = 2`, b.Key)
	_, r, _ = blobs.Open(ctx, b.Key)
	if _, err := io.ReadAll(r); err == nil {
		t.Error("a file missing a chunk read without error")
	}
	if err := blobs.Delete(ctx, b.Key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := blobs.Open(ctx, b.Key); !store.IsCode(err, store.CodeNotFound) {
		t.Errorf("deleted blob: %v", err)
	}
	st.DB().Get(&chunks, `SELECT count(*) FROM blob_chunks`)
	if chunks != 0 {
		t.Errorf("%d chunks left after delete", chunks)
	}
}

func TestSanitizeFileName(t *testing.T) {
	t.Parallel()
	pdf, _ := store.EvidenceType([]byte("%PDF-1.7"))
	jpg, _ := store.EvidenceType([]byte{0xFF, 0xD8, 0xFF, 0xE0})
	cases := map[string]struct {
		in   string
		kind store.EvidenceKind
		want string
	}{
		"plain":              {"receipt.pdf", pdf, "receipt.pdf"},
		"upper extension":    {"RECEIPT.PDF", pdf, "RECEIPT.pdf"},
		"wrong extension":    {"invoice.exe", pdf, "invoice.exe.pdf"},
		"jpeg spelling":      {"photo.jpeg", jpg, "photo.jpg"},
		"unix path":          {"../../etc/passwd", pdf, "passwd.pdf"},
		"windows path":       {`C:\Users\ana\slip.pdf`, pdf, "slip.pdf"},
		"html":               {`<img src=x onerror=alert(1)>.pdf`, pdf, "img src_x onerror_alert(1).pdf"},
		"header injection":   {"a\r\nContent-Type: text.pdf", pdf, "a__Content-Type_ text.pdf"},
		"quotes":             {`"quoted";.pdf`, pdf, "quoted.pdf"},
		"nothing left":       {"...", pdf, "evidence.pdf"},
		"empty":              {"", pdf, "evidence.pdf"},
		"accents kept":       {"recibo depósito.pdf", pdf, "recibo depósito.pdf"},
		"invalid utf8":       {"a\xffb.pdf", pdf, "ab.pdf"},
		"right-to-left mark": {"pdf.\u202eexe.pdf", pdf, "pdf._exe.pdf"},
	}
	for name, c := range cases {
		if got := store.SanitizeFileName(c.in, c.kind); got != c.want {
			t.Errorf("%s: %q -> %q, want %q", name, c.in, got, c.want)
		}
	}
	long := store.SanitizeFileName(strings.Repeat("é", 500)+".pdf", pdf)
	if n := utf8.RuneCountInString(long); n != 124 {
		t.Errorf("long name has %d characters", n)
	}
}

func FuzzEvidenceNaming(f *testing.F) {
	for _, s := range []string{"%PDF-1.4", "\xff\xd8\xff\xe0", "\x89PNG\r\n\x1a\n", "RIFF\x00\x00\x00\x00WEBPVP8 ", "<html>", ""} {
		f.Add([]byte(s), "receipt.pdf")
	}
	f.Fuzz(func(t *testing.T, head []byte, name string) {
		kind, ok := store.EvidenceType(head)
		if !ok {
			return
		}
		if !strings.HasPrefix(kind.ContentType, "image/") && kind.ContentType != "application/pdf" {
			t.Fatalf("type %q accepted", kind.ContentType)
		}
		got := store.SanitizeFileName(name, kind)
		if !utf8.ValidString(got) || !strings.HasSuffix(got, kind.Extension) || strings.ContainsAny(got, "/\\\"\r\n;<>") ||
			utf8.RuneCountInString(got) > 120+len(kind.Extension) {
			t.Fatalf("%q -> %q", name, got)
		}
	})
}
