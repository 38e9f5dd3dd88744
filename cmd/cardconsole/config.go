package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"cardconsole/store"
	"cardconsole/web"
)

// config is the process configuration, read from the environment with safe defaults (README.md).
type config struct {
	DatabaseURL string
	ReplicaURL  string        // a streaming replica for stale-tolerant reads, optional
	ReplicaLag  time.Duration // the replica's replay lag beyond which those reads use the primary
	Addr        string
	BaseURL     string
	SessionKey  []byte
	SessionTTL  time.Duration
	SessionIdle time.Duration
	TokenTTL    store.TokenTTL
	// InvitationTTL is how long an invitation link works (INVITATION_TTL).
	InvitationTTL time.Duration
	// SMTPURL is the mail server invitations are sent through (SMTP_URL), optional.
	SMTPURL string
	// TrustedProxies are the peers whose X-Forwarded-For is believed (TRUSTED_PROXIES).
	TrustedProxies []*net.IPNet
	Timeouts       web.Timeouts
	LogLevel       slog.Level
	LogFormat      string
	OTPKeys        *store.OTPKeys // nil when OTP_ENCRYPTION_KEY is not set
	keyIsRandom    bool
}

func loadConfig() (config, error) {
	c := config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		ReplicaURL:  os.Getenv("DATABASE_REPLICA_URL"),
		SMTPURL:     os.Getenv("SMTP_URL"),
		Addr:        envOr("ADDR", "127.0.0.1:8080"),
		LogFormat:   envOr("LOG_FORMAT", "text"),
	}
	c.BaseURL = strings.TrimRight(envOr("BASE_URL", "http://"+c.Addr), "/")
	var err error
	durations := []struct {
		name string
		def  string
		dst  *time.Duration
	}{
		{"SESSION_TTL", "8h", &c.SessionTTL},
		{"REPLICA_MAX_LAG", "1s", &c.ReplicaLag},
		{"SESSION_IDLE", "15m", &c.SessionIdle},
		{"APP_TOKEN_TTL", "24h", &c.TokenTTL.App},
		{"ACCESS_TOKEN_TTL", "15m", &c.TokenTTL.Access},
		{"REFRESH_TOKEN_TTL", "720h", &c.TokenTTL.Refresh},
		{"READ_HEADER_TIMEOUT", web.DefaultTimeouts.ReadHeader.String(), &c.Timeouts.ReadHeader},
		{"READ_TIMEOUT", web.DefaultTimeouts.Read.String(), &c.Timeouts.Read},
		{"IDLE_TIMEOUT", web.DefaultTimeouts.Idle.String(), &c.Timeouts.Idle},
		{"UPLOAD_TIMEOUT", web.DefaultTimeouts.Upload.String(), &c.Timeouts.Upload},
		{"INVITATION_TTL", "72h", &c.InvitationTTL},
	}
	for _, d := range durations {
		if *d.dst, err = time.ParseDuration(envOr(d.name, d.def)); err != nil || *d.dst <= 0 {
			return c, fmt.Errorf("%s must be a positive duration such as %s", d.name, d.def)
		}
	}
	if c.TrustedProxies, err = parseProxies(os.Getenv("TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	if err := c.LogLevel.UnmarshalText([]byte(envOr("LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error")
	}
	if key := os.Getenv("SESSION_KEY"); key != "" {
		if len(key) < 32 {
			return c, fmt.Errorf("SESSION_KEY must have at least 32 characters")
		}
		c.SessionKey = []byte(key)
	} else {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		c.SessionKey = []byte(hex.EncodeToString(b))
		c.keyIsRandom = true
	}
	if key := os.Getenv("OTP_ENCRYPTION_KEY"); key != "" {
		var old []string
		if list := os.Getenv("OTP_ENCRYPTION_KEY_OLD"); list != "" {
			old = strings.Split(list, ",")
		}
		if c.OTPKeys, err = store.ParseOTPKeys(key, old...); err != nil {
			return c, fmt.Errorf("OTP_ENCRYPTION_KEY or OTP_ENCRYPTION_KEY_OLD: %w", err)
		}
	}
	return c, nil
}

func (c config) needDatabase() error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("DATABASE_URL is not set (make run sets it to a private cluster under .data/)")
	}
	return nil
}

func (c config) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// parseProxies reads a comma-separated list of CIDRs or single addresses.
func parseProxies(list string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			ip := net.ParseIP(item)
			if ip == nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a CIDR", item)
			}
			bits := 128
			if ip.To4() != nil {
				bits = 32
			}
			item = fmt.Sprintf("%s/%d", item, bits)
		}
		_, n, err := net.ParseCIDR(item)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a CIDR", item)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
