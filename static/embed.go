// Package static holds the console's assets, embedded in the binary: the built Tailwind CSS, the
// vendored htmx 2 and its SSE extension, and the console's small script.
package static

import "embed"

// FS serves under /static.
//
//go:embed css js
var FS embed.FS
