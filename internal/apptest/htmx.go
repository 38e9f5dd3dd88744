package apptest

import "github.com/chromedp/chromedp"

// htmxBusy finds what HTMX marks while it is not done with the page: a request in flight
// (htmx-request), content being swapped out (htmx-swapping) or settled in (htmx-settling), and
// content swapped in that HTMX has not processed yet (htmx-added: its hx- attributes do nothing
// until then).
const htmxBusy = `.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added`

// HTMXSettled waits until HTMX has loaded and is done with the page: no request in flight and
// every swapped-in element processed. A test runs it before clicking in a region that HTMX
// refreshes (a live queue), after waiting for the content it clicks, so that the click reaches an
// element HTMX has taken over rather than one it is about to replace or has not processed yet.
func HTMXSettled() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`!!window.htmx && document.querySelector('` + htmxBusy + `') === null`)
}
