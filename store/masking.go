package store

import "strings"

// Personal data is masked for an operator who must give a one-time code to read it (cardholders:otp)
// wherever it appears without the code: lists, exports and the client of a request. The cardholder
// detail, with the code, shows it whole. A masked value keeps just enough to tell records apart.

// maskMark stands for the hidden part of a value.
const maskMark = "••••"

// maskTail keeps the last four characters of a value: a document or phone number.
func maskTail(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 4 {
		return maskMark
	}
	return maskMark + string(r[len(r)-4:])
}

// maskEmail keeps the first character and the domain.
func maskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" {
		return maskMark
	}
	return string([]rune(local)[:1]) + maskMark + "@" + domain
}

// MaskPersonal hides the list row's contact and document details.
func (c *CardholderSummary) MaskPersonal() {
	c.Email, c.PhoneNumber, c.DocumentNumber = maskEmail(c.Email), maskTail(c.PhoneNumber), maskTail(c.DocumentNumber)
}

// MaskPersonal hides the client's contact, address and document details.
func (c *RequestClient) MaskPersonal() {
	c.Email, c.PhoneNumber, c.DocumentNumber = maskEmail(c.Email), maskTail(c.PhoneNumber), maskTail(c.DocumentNumber)
	c.Address = maskMark
	c.Masked = true
}

// MaskPersonal hides the request's client email.
func (r *ClientRequest) MaskPersonal() { r.ClientEmail = maskEmail(r.ClientEmail) }

// MaskPersonal hides the client's details in the request and in its history, whose entries keep
// copies of the request as it was.
func (d *RequestDetail) MaskPersonal() {
	d.ClientRequest.MaskPersonal()
	d.Client.MaskPersonal()
	for i := range d.History {
		d.History[i].Before, d.History[i].After = nil, nil
	}
}
