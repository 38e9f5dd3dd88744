package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// ThirdPartyCard is a card of another issuer linked to a cardholder: its owner's email, its last
// four digits and an alias the cardholder chose.
type ThirdPartyCard struct {
	ID           int64     `db:"id" json:"id"`
	CardholderID int64     `db:"cardholder_id" json:"cardholderId"`
	Email        string    `db:"email" json:"email"`
	Suffix       string    `db:"suffix" json:"suffix"`
	Alias        string    `db:"alias" json:"alias"`
	CreatedAt    time.Time `db:"created_at" json:"createdAt"`
}

// MaskedNumber shows the card as its last four digits behind a mask.
func (t ThirdPartyCard) MaskedNumber() string { return "************" + t.Suffix }

// NewThirdPartyCard is the input of AssociateThirdPartyCard.
type NewThirdPartyCard struct {
	Email  string `json:"email" form:"email"`
	Suffix string `json:"suffix" form:"suffix"`
	Alias  string `json:"alias" form:"alias"`
}

// MaxAlias is the longest alias of a third-party card, in characters.
const MaxAlias = 50

var suffixPattern = regexp.MustCompile(`^[0-9]{4}$`)

const thirdPartyUniqueKey = "third_party_cards_unique_key"

// AssociateThirdPartyCard links a card of another issuer to the cardholder. The same suffix and
// email (whatever its case) are linked once per cardholder: a second time is 409 with 7221 on
// suffix. A cardholder of another partner is 7100.
func (s *Store) AssociateThirdPartyCard(ctx context.Context, actor Actor, partnerID, cardholderID int64, in NewThirdPartyCard) (ThirdPartyCard, error) {
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Suffix = strings.TrimSpace(in.Suffix)
	in.Alias = collapseSpaces(in.Alias)
	var v Validation
	if msg := emailProblem(in.Email); msg != "" {
		v.Add("email", msg)
	}
	if !suffixPattern.MatchString(in.Suffix) {
		v.Add("suffix", "suffix must be the last 4 digits of the card number")
	}
	switch n := utf8.RuneCountInString(in.Alias); {
	case n == 0:
		v.Add("alias", "alias is required")
	case n > MaxAlias:
		v.Add("alias", fmt.Sprintf("alias must have at most %d characters", MaxAlias))
	case strings.ContainsFunc(in.Alias, isControl):
		v.Add("alias", "alias must be a single line of text")
	}
	if err := v.Err(); err != nil {
		return ThirdPartyCard{}, err
	}
	var t ThirdPartyCard
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &t, `
			INSERT INTO third_party_cards (partner_id, cardholder_id, email, suffix, alias)
			SELECT partner_id, id, $3, $4, $5 FROM cardholders WHERE id = $1 AND partner_id = $2
			RETURNING id, cardholder_id, email, suffix, alias, created_at`, cardholderID, partnerID, in.Email, in.Suffix, in.Alias)
		if errors.Is(err, sql.ErrNoRows) {
			return NewError(CodeUserNotFound, "cardholder not found")
		}
		if isUniqueViolation(err, thirdPartyUniqueKey) {
			var dup Validation
			dup.AddCode("suffix", CodeThirdPartyCreate, "this card (same last 4 digits and email) is already linked to the cardholder")
			return dup.Err()
		}
		if err != nil {
			return fmt.Errorf("store: unable to link third-party card: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "third_party_card.associate",
			ObjectType: "cardholder", ObjectID: cardholderID, After: map[string]any{"thirdPartyCardId": t.ID, "suffix": t.Suffix}})
	})
	return t, err
}

// ThirdPartyCards lists the cards of other issuers linked to the cardholder, oldest first; a
// cardholder of another partner is 7100.
func (s *Store) ThirdPartyCards(ctx context.Context, partnerID, cardholderID int64) ([]ThirdPartyCard, error) {
	if err := cardholderExists(ctx, s.db, partnerID, cardholderID); err != nil {
		return nil, err
	}
	out := []ThirdPartyCard{}
	err := s.db.SelectContext(ctx, &out, `SELECT id, cardholder_id, email, suffix, alias, created_at FROM third_party_cards
		WHERE cardholder_id = $1 AND partner_id = $2 ORDER BY id`, cardholderID, partnerID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list third-party cards: %w", err)
	}
	return out, nil
}
