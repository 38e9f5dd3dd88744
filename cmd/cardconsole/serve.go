package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"cardconsole/handlers"
	"cardconsole/store"
	"cardconsole/web"
)

func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	if err := cfg.needDatabase(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, st.DB().DB); err != nil {
		st.Close()
		return nil, err
	}
	if err := sealOTPSecrets(ctx, st, cfg.OTPKeys); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// sealOTPSecrets seals with the current key the TOTP secrets still in plain text or sealed with an
// old key (a rotation), or refuses to go on when operators are enrolled and no key is set.
func sealOTPSecrets(ctx context.Context, st *store.Store, keys *store.OTPKeys) error {
	if keys == nil {
		n, err := st.EnrolledOperators(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%d operators have an authenticator enrolled and OTP_ENCRYPTION_KEY is not set: "+
				"set OTP_ENCRYPTION_KEY to 32 random bytes in base64 (openssl rand -base64 32) and keep it; see README.md", n)
		}
		return nil
	}
	st.UseOTPKeys(keys)
	_, err := st.EncryptOTPSecrets(ctx)
	return err
}

func migrate(ctx context.Context) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return printJSON(map[string]string{"status": "migrated"})
}

// serve runs the HTTP server until SIGINT or SIGTERM, then drains in-flight requests.
func serve(ctx context.Context) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := cfg.logger()
	web.TuneGC()
	if cfg.keyIsRandom {
		log.Warn("SESSION_KEY is not set: using a random key, so sessions and signed links end at restart and differ between instances")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.ReplicaURL != "" {
		if err := st.UseReplica(cfg.ReplicaURL, cfg.ReplicaLag, log); err != nil {
			return err
		}
		log.Info("reading statements, exports, searches and the audit log on the replica", "max_lag", cfg.ReplicaLag)
	}
	mailer, err := web.NewMailer(cfg.SMTPURL)
	if err != nil {
		return err
	}
	app, e := web.New(web.Options{Store: st, Logger: log, BaseURL: cfg.BaseURL, SessionKey: cfg.SessionKey,
		SessionTTL: cfg.SessionTTL, SessionIdle: cfg.SessionIdle, TokenTTL: cfg.TokenTTL, TrustedProxies: cfg.TrustedProxies,
		UploadTimeout: cfg.Timeouts.Upload, InvitationTTL: cfg.InvitationTTL, Mailer: mailer})
	handlers.Routes(e, app)

	// Long-lived responses (event streams) end when the base context is cancelled at shutdown.
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := web.NewServer(cfg.Addr, e, cfg.Timeouts, baseCtx)
	srv.RegisterOnShutdown(cancelBase)
	// Bulk files are applied in the background by every instance (docs/bulk.md); a job this
	// instance leaves at shutdown is resumed by another, or by this one after a restart.
	go st.RunBulkWorker(baseCtx, log, time.Second)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "url", cfg.BaseURL, "addr", cfg.Addr)
	select {
	case err := <-errc:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
