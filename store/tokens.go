package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Token kinds.
const (
	TokenApp     = "APP"
	TokenAccess  = "ACCESS"
	TokenRefresh = "REFRESH"
)

// TokenTTL sets how long each kind of token lives.
type TokenTTL struct {
	App     time.Duration
	Access  time.Duration
	Refresh time.Duration
}

// Principal is who a valid bearer token speaks for.
type Principal struct {
	Kind        string
	SessionID   string
	AppID       int64
	AppName     string
	AppPublicID string  // the application's x-application-id
	AppPartners []int64 // the partners the application serves
	OperatorID  int64
	Email       string
	ExpiresAt   time.Time
}

// TokenPair is what an operator login or a refresh returns.
type TokenPair struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int    `json:"expiresIn"`
	TokenType    string `json:"tokenType"`
}

// randomToken returns 32 random bytes, URL-safe base64 encoded.
func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func insertToken(ctx context.Context, q sqlx.ExecerContext, kind, sessionID string, appID, operatorID int64, expiresAt time.Time) (string, error) {
	token := randomToken()
	_, err := q.ExecContext(ctx, `
		INSERT INTO api_tokens (token_hash, kind, session_id, application_id, operator_id, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		hashToken(token), kind, sessionID, nullID(appID), nullID(operatorID), expiresAt)
	if err != nil {
		return "", fmt.Errorf("store: unable to issue token: %w", err)
	}
	return token, nil
}

// IssueAppToken issues an application access token.
func (s *Store) IssueAppToken(ctx context.Context, appID int64, ttl time.Duration) (string, error) {
	return insertToken(ctx, s.db, TokenApp, newUUID(), appID, 0, time.Now().Add(ttl))
}

// IssueOperatorTokens issues an access and a refresh token sharing one session, and audits the login.
// The refresh token lives ttl.Refresh from now, the sign-in: no refresh ever moves that limit.
func (s *Store) IssueOperatorTokens(ctx context.Context, actor Actor, appID, operatorID int64, ttl TokenTTL, now time.Time) (TokenPair, error) {
	var pair TokenPair
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		pair, err = issuePair(ctx, tx, newUUID(), appID, operatorID, now, ttl.Access, now.Add(ttl.Refresh))
		if err != nil {
			return err
		}
		if err := recordSignIn(ctx, tx, operatorID, now); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{Action: "auth.api_login", ObjectType: "operator", ObjectID: operatorID})
	})
	return pair, err
}

// issuePair issues the tokens of a session: the access token lives access from now but never past
// the session's end, which is also the refresh token's expiry.
func issuePair(ctx context.Context, tx *sqlx.Tx, sessionID string, appID, operatorID int64, now time.Time, access time.Duration, end time.Time) (TokenPair, error) {
	accessEnd := now.Add(access)
	if accessEnd.After(end) {
		accessEnd = end
	}
	accessTok, err := insertToken(ctx, tx, TokenAccess, sessionID, appID, operatorID, accessEnd)
	if err != nil {
		return TokenPair{}, err
	}
	refresh, err := insertToken(ctx, tx, TokenRefresh, sessionID, appID, operatorID, end)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: accessTok, RefreshToken: refresh, ExpiresIn: int(accessEnd.Sub(now).Round(time.Second) / time.Second), TokenType: "Bearer"}, nil
}

// Refresh spends a refresh token once: it is revoked with the access token of its session, and a new
// pair is issued in the same session, ending when the sign-in's refresh token would have (the
// absolute limit). A spent, revoked or expired token, or one of an operator no longer active,
// answers Unauthorized.
func (s *Store) Refresh(ctx context.Context, refreshToken string, ttl TokenTTL, now time.Time) (TokenPair, error) {
	var pair TokenPair
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			SessionID  string    `db:"session_id"`
			AppID      int64     `db:"application_id"`
			OperatorID int64     `db:"operator_id"`
			ExpiresAt  time.Time `db:"expires_at"`
		}
		err := tx.GetContext(ctx, &row, `
			UPDATE api_tokens t SET revoked_at = now()
			FROM operators o
			WHERE t.token_hash = $1 AND t.kind = 'REFRESH' AND t.revoked_at IS NULL AND t.expires_at > $2
			  AND o.id = t.operator_id AND o.status = 'ACTIVE'
			RETURNING t.session_id, COALESCE(t.application_id, 0) AS application_id, t.operator_id, t.expires_at`,
			hashToken(refreshToken), now)
		if errors.Is(err, sql.ErrNoRows) {
			return NewError(CodeUnauthorized, "refresh token is invalid, expired or already used")
		}
		if err != nil {
			return fmt.Errorf("store: unable to spend refresh token: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE session_id = $1 AND revoked_at IS NULL`,
			row.SessionID); err != nil {
			return fmt.Errorf("store: unable to revoke session tokens: %w", err)
		}
		pair, err = issuePair(ctx, tx, row.SessionID, row.AppID, row.OperatorID, now, ttl.Access, row.ExpiresAt)
		return err
	})
	return pair, err
}

// RevokeSession revokes every token of a session (operator logout).
func (s *Store) RevokeSession(ctx context.Context, actor Actor, sessionID string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE session_id = $1 AND revoked_at IS NULL`,
			sessionID); err != nil {
			return fmt.Errorf("store: unable to revoke tokens: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "auth.api_logout", ObjectType: "operator", ObjectID: actor.OperatorID})
	})
}

// LookupToken returns the principal of a live token of the given kind, or Unauthorized. The
// principal of an application token is kept in memory for a moment (token_cache.go).
func (s *Store) LookupToken(ctx context.Context, token, kind string) (Principal, error) {
	hash := hashToken(token)
	if kind == TokenApp {
		if p, ok := s.appTokens.get(hash); ok {
			return p, nil
		}
	}
	p, err := s.readToken(ctx, hash, kind)
	if err == nil && kind == TokenApp {
		s.appTokens.put(hash, p)
	}
	return p, err
}

// readToken reads the principal of a live token by its hash.
func (s *Store) readToken(ctx context.Context, hash []byte, kind string) (Principal, error) {
	var p Principal
	var row struct {
		Kind       string         `db:"kind"`
		SessionID  string         `db:"session_id"`
		AppID      sql.NullInt64  `db:"application_id"`
		AppName    sql.NullString `db:"app_name"`
		PublicID   sql.NullString `db:"app_public_id"`
		Partners   pq.Int64Array  `db:"app_partners"`
		OperatorID sql.NullInt64  `db:"operator_id"`
		Email      sql.NullString `db:"email"`
		ExpiresAt  time.Time      `db:"expires_at"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT t.kind, t.session_id, t.application_id, a.name AS app_name, a.application_id AS app_public_id,
		       ARRAY(SELECT ap.partner_id FROM application_partners ap WHERE ap.application_id = a.id ORDER BY 1) AS app_partners,
		       t.operator_id, o.email, t.expires_at
		FROM api_tokens t
		LEFT JOIN applications a ON a.id = t.application_id
		LEFT JOIN operators o ON o.id = t.operator_id
		WHERE t.token_hash = $1 AND t.kind = $2 AND t.revoked_at IS NULL AND t.expires_at > now()
		  AND (o.id IS NULL OR o.status = 'ACTIVE')`, hash, kind)
	if errors.Is(err, sql.ErrNoRows) {
		return p, NewError(CodeUnauthorized, "token is invalid, expired or revoked")
	}
	if err != nil {
		return p, fmt.Errorf("store: unable to look up token: %w", err)
	}
	return Principal{Kind: row.Kind, SessionID: row.SessionID, AppID: row.AppID.Int64, AppName: row.AppName.String,
		AppPublicID: row.PublicID.String, AppPartners: row.Partners, OperatorID: row.OperatorID.Int64, Email: row.Email.String, ExpiresAt: row.ExpiresAt}, nil
}
