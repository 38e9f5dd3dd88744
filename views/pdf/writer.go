package pdf

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
)

// writer writes a PDF file object by object, in the order they are finished: a page's content is
// compressed and written as soon as the page is done, and only the objects' offsets (eight bytes
// each) are kept for the cross-reference table at the end. Objects that can only be written last
// (the page tree, the fonts, the page count) get their numbers up front with reserve.
type writer struct {
	out     io.Writer
	n       int64   // bytes written so far: the next object's offset
	offsets []int64 // by object number - 1; 0 until the object is written
	err     error
	zbuf    bytes.Buffer // a stream being compressed
	zw      *zlib.Writer // reused for every stream: a new one allocates about a megabyte
}

// newWriter starts a PDF 1.4 file on out. The binary comment tells transfer tools it is not text.
func newWriter(out io.Writer) *writer {
	w := &writer{out: out}
	w.zw, _ = zlib.NewWriterLevel(&w.zbuf, flate.BestSpeed)
	w.raw("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	return w
}

func (w *writer) raw(s string) {
	if w.err != nil {
		return
	}
	n, err := io.WriteString(w.out, s)
	w.n += int64(n)
	w.err = err
}

func (w *writer) bytes(b []byte) {
	if w.err != nil {
		return
	}
	n, err := w.out.Write(b)
	w.n += int64(n)
	w.err = err
}

// reserve returns a new object number, to be written later with begin.
func (w *writer) reserve() int {
	w.offsets = append(w.offsets, 0)
	return len(w.offsets)
}

// begin starts object obj (from reserve) at the current offset.
func (w *writer) begin(obj int) {
	w.offsets[obj-1] = w.n
	w.raw(strconv.Itoa(obj) + " 0 obj\n")
}

// object writes obj as a dictionary or any other direct value.
func (w *writer) object(obj int, value string) {
	w.begin(obj)
	w.raw(value)
	w.raw("\nendobj\n")
}

// stream writes obj as a stream with the entries of dict (without the << >>), compressing data.
func (w *writer) stream(obj int, dict string, data []byte) {
	w.zbuf.Reset()
	w.zw.Reset(&w.zbuf)
	_, _ = w.zw.Write(data) // writes to a bytes.Buffer cannot fail
	_ = w.zw.Close()
	w.compressed(obj, dict, w.zbuf.Bytes())
}

// compressed writes obj as a stream whose data is already zlib-compressed.
func (w *writer) compressed(obj int, dict string, data []byte) {
	w.begin(obj)
	w.raw("<<" + dict + " /Filter /FlateDecode /Length " + strconv.Itoa(len(data)) + ">>\nstream\n")
	w.bytes(data)
	w.raw("\nendstream\nendobj\n")
}

// finish writes the cross-reference table and the trailer. Every reserved object must have been
// written by then.
func (w *writer) finish(root, info int) error {
	start := w.n
	w.raw("xref\n0 " + strconv.Itoa(len(w.offsets)+1) + "\n0000000000 65535 f \n")
	line := make([]byte, 0, 20)
	for i, off := range w.offsets {
		if off == 0 && w.err == nil {
			w.err = fmt.Errorf("pdf: object %d was reserved but never written", i+1)
		}
		line = strconv.AppendInt(line[:0], 1e10+off, 10)[1:] // ten digits, zero-padded
		line = append(line, " 00000 n \n"...)
		w.bytes(line)
	}
	w.raw("trailer\n<</Size " + strconv.Itoa(len(w.offsets)+1) + " /Root " + ref(root) + " /Info " + ref(info) +
		">>\nstartxref\n" + strconv.FormatInt(start, 10) + "\n%%EOF\n")
	return w.err
}

// ref is an indirect reference to obj.
func ref(obj int) string { return strconv.Itoa(obj) + " 0 R" }

// textString is s as a PDF text string (document information): UTF-16BE with its byte order mark,
// in hexadecimal, so any character survives.
func textString(s string) string {
	b := make([]byte, 0, 6+4*len(s))
	b = append(b, "<FEFF"...)
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			b = appendHex16(b, uint16(0xD800+(r>>10)))
			b = appendHex16(b, uint16(0xDC00+(r&0x3FF)))
			continue
		}
		b = appendHex16(b, uint16(r))
	}
	return string(append(b, '>'))
}

const hexDigits = "0123456789ABCDEF"

func appendHex16(b []byte, v uint16) []byte {
	return append(b, hexDigits[v>>12], hexDigits[v>>8&15], hexDigits[v>>4&15], hexDigits[v&15])
}

// spool is an in-memory file made of fixed-size chunks: it grows without ever copying what it
// holds, so a 10 MiB statement costs 10 MiB, not the 24 MiB a doubling buffer peaks at.
type spool struct {
	chunks [][]byte
}

const spoolChunk = 256 << 10

func (s *spool) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(s.chunks) == 0 || len(s.chunks[len(s.chunks)-1]) == spoolChunk {
			s.chunks = append(s.chunks, make([]byte, 0, spoolChunk))
		}
		last := &s.chunks[len(s.chunks)-1]
		k := min(len(p), spoolChunk-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
	return n, nil
}

// WriteTo copies the spool to w.
func (s *spool) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for _, c := range s.chunks {
		n, err := w.Write(c)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
