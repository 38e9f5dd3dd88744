package views

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// QRCodeSVG draws text (an otpauth:// URI) as a QR code in SVG, one square path per dark module
// with a four-module quiet zone, so an authenticator app can scan it from the page.
func QRCodeSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("views: unable to encode QR code: %w", err)
	}
	const quiet = 4
	size := code.Size + 2*quiet
	var path strings.Builder
	for y := range code.Size {
		for x := range code.Size {
			if code.Black(x, y) {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" role="img" aria-label="QR code for the authenticator app">`+
		`<rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="%s"/></svg>`, size, size, size*5, size*5, path.String()), nil
}
