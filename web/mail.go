package web

import (
	"fmt"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Mailer sends plain-text mail through the SMTP server of SMTP_URL:
// smtp://[user:password@]host:port?from=address. It is nil when SMTP_URL is not set.
type Mailer struct {
	addr string
	from string
	auth smtp.Auth
}

// NewMailer parses an SMTP URL; an empty one gives a nil Mailer (no mail is sent).
func NewMailer(raw string) (*Mailer, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("SMTP_URL must look like smtp://user:password@host:587?from=console@example.com")
	}
	m := &Mailer{addr: u.Host, from: u.Query().Get("from")}
	if m.from == "" {
		m.from = "cardconsole@" + u.Hostname()
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pw, u.Hostname())
	}
	return m, nil
}

// Send mails a plain-text message to one recipient.
func (m *Mailer) Send(to, subject, body string, now time.Time) error {
	if strings.ContainsAny(to+subject, "\r\n") {
		return fmt.Errorf("web: refusing a mail header with a line break")
	}
	msg := "From: " + m.from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nDate: " + now.Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	if err := smtp.SendMail(m.addr, m.auth, m.from, []string{to}, []byte(msg)); err != nil {
		return fmt.Errorf("web: unable to send mail: %w", err)
	}
	return nil
}
