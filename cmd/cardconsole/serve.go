package main

import (
	"context"
	"errors"
	"fmt"
	"net"
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
	return st, nil
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
		InvitationTTL: cfg.InvitationTTL, Mailer: mailer})
	handlers.Routes(e, app)

	// Long-lived responses (event streams) end when the base context is cancelled at shutdown.
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{Addr: cfg.Addr, Handler: e, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		BaseContext: func(net.Listener) context.Context { return baseCtx }}
	srv.RegisterOnShutdown(cancelBase)
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
