package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// OperatorLocale is what decides the console's language and time zone for an operator: the
// language they picked (empty until they pick one) and the country and time zone of their first
// partner.
type OperatorLocale struct {
	Language string `db:"language"`
	Country  string `db:"country"`
	TimeZone string `db:"time_zone"`
}

// OperatorLocale reads an operator's language choice and their first partner's country and zone.
func (s *Store) OperatorLocale(ctx context.Context, operatorID int64) (OperatorLocale, error) {
	var l OperatorLocale
	err := s.db.GetContext(ctx, &l, `
		SELECT COALESCE(o.language, '') AS language, COALESCE(p.country, '') AS country, COALESCE(p.time_zone, '') AS time_zone
		FROM operators o
		LEFT JOIN LATERAL (
			SELECT p.country, p.time_zone FROM operator_permissions g JOIN partners p ON p.id = g.partner_id
			WHERE g.operator_id = o.id ORDER BY p.id LIMIT 1) p ON true
		WHERE o.id = $1`, operatorID)
	if errors.Is(err, sql.ErrNoRows) {
		return OperatorLocale{}, NotFound("operator")
	}
	if err != nil {
		return OperatorLocale{}, fmt.Errorf("store: unable to read operator locale: %w", err)
	}
	return l, nil
}

// PartnerTimeZone is the IANA time zone a partner's screens, statements and exports are shown in.
func (s *Store) PartnerTimeZone(ctx context.Context, partnerID int64) (string, error) {
	var tz string
	err := s.db.GetContext(ctx, &tz, `SELECT time_zone FROM partners WHERE id = $1`, partnerID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", NotFound("partner")
	}
	if err != nil {
		return "", fmt.Errorf("store: unable to read partner time zone: %w", err)
	}
	return tz, nil
}

// SetOperatorLanguage keeps the console language an operator picked ("es" or "en").
func (s *Store) SetOperatorLanguage(ctx context.Context, actor Actor, operatorID int64, language string) error {
	if language != "es" && language != "en" {
		var v Validation
		v.Add("language", "language must be es or en")
		return v.Err()
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var before sql.NullString
		err := tx.GetContext(ctx, &before, `
			WITH old AS (SELECT language FROM operators WHERE id = $1 FOR UPDATE)
			UPDATE operators o SET language = $2 FROM old WHERE o.id = $1 RETURNING old.language`, operatorID, language)
		if errors.Is(err, sql.ErrNoRows) {
			return NotFound("operator")
		}
		if err != nil {
			return fmt.Errorf("store: unable to set operator language: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{Action: "operator.language_set", ObjectType: "operator", ObjectID: operatorID,
			Before: map[string]string{"language": before.String}, After: map[string]string{"language": language}})
	})
}

// SetPartnerCountry records a partner's ISO 3166-1 country, which gives its operators' default
// console language.
func (s *Store) SetPartnerCountry(ctx context.Context, actor Actor, partnerID int64, country string) error {
	if !ValidCountry(country) {
		var v Validation
		v.Add("country", "country must be an ISO 3166-1 alpha-2 country code in capitals, such as GT")
		return v.Err()
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE partners SET country = $2 WHERE id = $1`, partnerID, country)
		if err != nil {
			return fmt.Errorf("store: unable to set partner country: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return NotFound("partner")
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "partner.country_set", ObjectType: "partner",
			ObjectID: partnerID, After: map[string]string{"country": country}})
	})
}
