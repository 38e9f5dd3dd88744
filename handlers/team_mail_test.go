package handlers_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/web"
)

// smtpSink is a minimal SMTP server on loopback that keeps every message it receives.
func smtpSink(t *testing.T) (addr string, messages <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan string, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSMTP(conn, out)
		}
	}()
	return ln.Addr().String(), out
}

func serveSMTP(conn net.Conn, out chan<- string) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	reply := func(s string) { _, _ = conn.Write([]byte(s + "\r\n")) }
	reply("220 sink ESMTP")
	var envelope []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM"), strings.HasPrefix(cmd, "RCPT TO"):
			envelope = append(envelope, strings.TrimSpace(line))
			reply("250 OK")
		case cmd == "DATA":
			reply("354 go ahead")
			var body strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				body.WriteString(l)
			}
			out <- strings.Join(envelope, "\n") + "\n" + body.String()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 OK")
		}
	}
}

func TestInvitationIsMailedWhenSMTPIsSet(t *testing.T) {
	t.Parallel()
	addr, messages := smtpSink(t)
	mailer, err := web.NewMailer("smtp://" + addr + "?from=console@example.com")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.NewWith(t, handlers.Routes, func(o *web.Options) { o.Mailer = mailer })
	p := env.Partner("Uno", "GTQ")
	admin := env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	d := admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "mailed@example.com", "roles": []string{"viewer"}}).
		WantStatus(http.StatusCreated).Data()
	if d["mailed"] != true {
		t.Fatalf("not mailed: %v", d)
	}
	select {
	case m := <-messages:
		for _, want := range []string{"RCPT TO:<mailed@example.com>", "From: console@example.com", d["invitationUrl"].(string),
			"Subject: Your card console invitation", "You have been invited to the card console."} {
			if !strings.Contains(m, want) {
				t.Fatalf("mail lacks %q:\n%s", want, m)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no mail reached the sink")
	}
	if _, err := web.NewMailer("http://nope"); err == nil {
		t.Fatal("a non-smtp URL was accepted")
	}
}

// TestInvitationSpeaksTheInviteesLanguage: an operator invited to a Guatemalan partner gets the
// invitation mail in Spanish, with the link's expiry in Guatemala time and the subject encoded for
// mail, and the invitation page in Spanish even from a browser set up in English.
func TestInvitationSpeaksTheInviteesLanguage(t *testing.T) {
	t.Parallel()
	addr, messages := smtpSink(t)
	mailer, err := web.NewMailer("smtp://" + addr + "?from=console@example.com")
	if err != nil {
		t.Fatal(err)
	}
	env := apptest.NewWith(t, handlers.Routes, func(o *web.Options) { o.Mailer = mailer })
	p := guatemalanPartner(t, env)
	admin := env.Operator("admin@example.com", true, apptest.Grant{Partner: p, Roles: []string{"admin"}})
	d := admin.Do(http.MethodPost, usersPath(p, ""), map[string]any{"email": "nueva@example.com", "roles": []string{"viewer"}}).
		WantStatus(http.StatusCreated).Data()
	select {
	case m := <-messages:
		for _, want := range []string{"Subject: =?utf-8?q?Su_invitaci=C3=B3n_a_la_consola_de_tarjetas?=",
			"Lo invitaron a la consola de tarjetas.", d["invitationUrl"].(string), "(hora de Guatemala (UTC−6))"} {
			if !strings.Contains(m, want) {
				t.Fatalf("mail lacks %q:\n%s", want, m)
			}
		}
		if strings.Contains(m, "You have been invited") {
			t.Fatalf("the mail is in English:\n%s", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no mail reached the sink")
	}
	link := d["invitationUrl"].(string)
	env.Console().Get(link[strings.Index(link, "/invite/"):], false).WantStatus(http.StatusOK).
		Contains(`lang="es"`, "Únase a Quetzal Pay", "Su nombre")
}
