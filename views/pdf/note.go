package pdf

import (
	"bytes"
	"fmt"
)

// Note is a one-page A5 document with a bold title and a few lines of text, such as the demo data's
// deposit receipts and the evidence files of tests; it keeps them off the PDF library too.
func Note(title string, lines ...string) ([]byte, error) {
	f := newDocument()
	f.AddPageFormat("P", f.GetPageSizeStr("A5"))
	f.SetFont(fontFamily, "B", 16)
	f.CellFormat(0, 10, clean(title), "", 1, "L", false, 0, "")
	f.Ln(4)
	f.SetFont(fontFamily, "", 12)
	for _, line := range lines {
		f.CellFormat(0, 8, clean(line), "", 1, "L", false, 0, "")
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: note: %w", err)
	}
	return buf.Bytes(), nil
}
