package web

import (
	"context"
	"fmt"
	"mime"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cardconsole/web/format"
	"cardconsole/web/i18n"
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
	msg := "From: " + m.from + "\r\nTo: " + to + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", subject) + "\r\nDate: " + now.Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	if err := smtp.SendMail(m.addr, m.auth, m.from, []string{to}, []byte(msg)); err != nil {
		return fmt.Errorf("web: unable to send mail: %w", err)
	}
	return nil
}

// RecipientLocale is the language and time zone to write to an operator in: their own choice, else
// their first partner's country's language, else the language of the request that writes to them;
// times in their first partner's zone.
func (a *App) RecipientLocale(c echo.Context, operatorID int64) (i18n.Locale, error) {
	l, err := a.Store.OperatorLocale(c.Request().Context(), operatorID)
	if err != nil {
		return i18n.Locale{}, err
	}
	return i18n.Locale{Lang: i18n.Resolve(l.Language, l.Country, i18n.Lang(c.Request().Context())),
		Zone: format.Zone(l.TimeZone)}, nil
}

// AnswerAs answers the request in the language and zone the operator is written to
// (RecipientLocale): the invitation pages, whose visitor has no session yet.
func (a *App) AnswerAs(c echo.Context, operatorID int64) error {
	l, err := a.RecipientLocale(c, operatorID)
	if err != nil {
		return err
	}
	setLocale(c, l)
	return nil
}

// InvitationMail is the subject and body of an invitation in the locale's language, with the
// link's expiry in the locale's time zone.
func InvitationMail(l i18n.Locale, link string, expires time.Time) (subject, body string) {
	ctx := i18n.WithLocale(context.Background(), l)
	until := format.DateTime(ctx, expires) + " (" + format.ZoneName(ctx, expires) + ")"
	return i18n.T(ctx, "mail.invite_subject"), i18n.T(ctx, "mail.invite_body", map[string]any{"Link": link, "Until": until})
}
