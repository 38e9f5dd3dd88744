package store

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// The enumerations of a cardholder, exactly as the spec lists them.
var (
	MaritalStatuses = []string{"soltero", "casado", "viudo", "divorciado", "separado"}
	Genders         = []string{"F", "M", "OTHER"}
	DocumentTypes   = []string{"DPI", "NIT", "PASSPORT", "LEGAL_ID", "PERSONAL_ID", "RESIDENCE_ID"}
)

// Cardholder is a person holding cards of a partner's program, with all their personal data. Only
// ReadCardholder returns one, and it writes the read to the audit log.
type Cardholder struct {
	ID             int64      `db:"id" json:"id"`
	PartnerID      int64      `db:"partner_id" json:"partnerId"`
	Name           string     `db:"name" json:"name"`
	LastName       string     `db:"last_name" json:"lastName"`
	Address        string     `db:"address" json:"address"`
	CountryOfBirth string     `db:"country_of_birth" json:"countryOfBirth"`
	DateOfBirth    string     `db:"date_of_birth" json:"dateOfBirth"`
	MaritalStatus  string     `db:"marital_status" json:"maritalStatus"`
	Gender         string     `db:"gender" json:"gender"`
	PhoneNumber    string     `db:"phone_number" json:"phoneNumber"`
	Email          string     `db:"email" json:"email"`
	DocumentType   string     `db:"document_type" json:"documentType"`
	DocumentNumber string     `db:"document_number" json:"documentNumber"`
	Status         string     `db:"status" json:"status"` // ACTIVE, or CLOSED (read-only)
	ClosedAt       *time.Time `db:"closed_at" json:"closedAt"`
	CloseReason    *string    `db:"close_reason" json:"closeReason"`
	CreatedAt      time.Time  `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updatedAt"`
}

// FullName is the name as people read it.
func (c Cardholder) FullName() string { return c.Name + " " + c.LastName }

// cardholderColumns selects a Cardholder from cardholders ch.
const cardholderColumns = `ch.id, ch.partner_id, ch.name, ch.last_name, ch.address, ch.country_of_birth,
	to_char(ch.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, ch.marital_status, ch.gender, ch.phone_number,
	ch.email, ch.document_type, ch.document_number, ch.status, ch.closed_at, ch.close_reason, ch.created_at, ch.updated_at`

// NewCardholder is the input of CreateCardholder: every field is required, and CardID names an
// unassigned card of the partner that becomes the cardholder's first card.
type NewCardholder struct {
	Name           string `json:"name"`
	LastName       string `json:"lastName"`
	Address        string `json:"address"`
	CountryOfBirth string `json:"countryOfBirth"`
	DateOfBirth    string `json:"dateOfBirth"`
	MaritalStatus  string `json:"maritalStatus"`
	Gender         string `json:"gender"`
	PhoneNumber    string `json:"phoneNumber"`
	Email          string `json:"email"`
	DocumentType   string `json:"documentType"`
	DocumentNumber string `json:"documentNumber"`
	CardID         int64  `json:"cardId"`
}

var (
	personNamePattern = regexp.MustCompile(`^[\p{L}\p{M}][\p{L}\p{M} '.\-]*$`)
	phonePattern      = regexp.MustCompile(`^\+?[0-9]{8,15}$`)
	documentPatterns  = map[string]*regexp.Regexp{
		"DPI":      regexp.MustCompile(`^[0-9]{13}$`),
		"NIT":      regexp.MustCompile(`^[0-9]{1,12}-?[0-9K]$`),
		"PASSPORT": regexp.MustCompile(`^[A-Z0-9]{5,20}$`),
	}
	otherDocumentPattern = regexp.MustCompile(`^[A-Z0-9-]{4,30}$`)
	documentRules        = map[string]string{
		"DPI":      "a DPI has 13 digits",
		"NIT":      "a NIT has up to 12 digits and a check digit (0-9 or K)",
		"PASSPORT": "a passport number has 5 to 20 letters or digits",
	}
	earliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Lengths of a cardholder's text fields, in characters.
const (
	MaxPersonName = 80
	MaxAddress    = 200
	MaxEmail      = 254
)

// Normalize trims the fields and puts those compared for uniqueness in one canonical form: emails in
// lower case, document numbers in upper case, inner runs of spaces in names collapsed.
func (in *NewCardholder) Normalize() {
	in.Name = collapseSpaces(in.Name)
	in.LastName = collapseSpaces(in.LastName)
	in.Address = strings.TrimSpace(in.Address)
	in.CountryOfBirth = strings.TrimSpace(in.CountryOfBirth)
	in.DateOfBirth = strings.TrimSpace(in.DateOfBirth)
	in.MaritalStatus = strings.TrimSpace(in.MaritalStatus)
	in.Gender = strings.TrimSpace(in.Gender)
	in.PhoneNumber = strings.TrimSpace(in.PhoneNumber)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.DocumentType = strings.TrimSpace(in.DocumentType)
	in.DocumentNumber = strings.ToUpper(strings.TrimSpace(in.DocumentNumber))
}

func collapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// Validate adds an error to v for every invalid field of a normalized input, skipping fields that
// already have one (the caller may have found that a field had the wrong type). today is the date
// a date of birth must precede.
func (in NewCardholder) Validate(v *Validation, today time.Time) {
	in.validatePerson(v, today)
	if in.CardID <= 0 && !v.Has("cardId") {
		v.Add("cardId", "cardId is required: the id of an unassigned card of this partner")
	}
}

// validatePerson checks the personal data, every field but the card: the rules of creating and
// of editing a cardholder.
func (in NewCardholder) validatePerson(v *Validation, today time.Time) {
	add := func(field, msg string) {
		if !v.Has(field) {
			v.Add(field, msg)
		}
	}
	checkPersonName(add, "name", in.Name)
	checkPersonName(add, "lastName", in.LastName)
	switch n := utf8.RuneCountInString(in.Address); {
	case n == 0:
		add("address", "address is required")
	case n > MaxAddress:
		add("address", fmt.Sprintf("address must have at most %d characters", MaxAddress))
	case strings.ContainsFunc(in.Address, isControl):
		add("address", "address must be a single line of text")
	}
	switch {
	case in.CountryOfBirth == "":
		add("countryOfBirth", "countryOfBirth is required")
	case !ValidCountry(in.CountryOfBirth):
		add("countryOfBirth", "countryOfBirth must be an ISO 3166-1 alpha-2 country code in capitals, such as GT")
	}
	checkDateOfBirth(add, in.DateOfBirth, today)
	checkEnum(add, "maritalStatus", in.MaritalStatus, MaritalStatuses)
	checkEnum(add, "gender", in.Gender, Genders)
	switch {
	case in.PhoneNumber == "":
		add("phoneNumber", "phoneNumber is required")
	case !phonePattern.MatchString(in.PhoneNumber):
		add("phoneNumber", "phoneNumber must be 8 to 15 digits with the country code, optionally after +, such as 50255551234")
	}
	if msg := emailProblem(in.Email); msg != "" {
		add("email", msg)
	}
	checkEnum(add, "documentType", in.DocumentType, DocumentTypes)
	checkDocumentNumber(add, in.DocumentType, in.DocumentNumber)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func checkPersonName(add func(string, string), field, value string) {
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		add(field, field+" is required")
	case n > MaxPersonName:
		add(field, fmt.Sprintf("%s must have at most %d characters", field, MaxPersonName))
	case !personNamePattern.MatchString(value):
		add(field, field+" may contain only letters, spaces, apostrophes, hyphens and periods")
	}
}

func checkDateOfBirth(add func(string, string), value string, today time.Time) {
	if value == "" {
		add("dateOfBirth", "dateOfBirth is required")
		return
	}
	d, err := time.Parse(time.DateOnly, value)
	if err != nil {
		add("dateOfBirth", "dateOfBirth must be a real date written YYYY-MM-DD")
		return
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case !d.Before(day):
		add("dateOfBirth", "dateOfBirth must be in the past")
	case d.Before(earliestBirth):
		add("dateOfBirth", "dateOfBirth must not be before 1900-01-01")
	}
}

func checkEnum(add func(string, string), field, value string, allowed []string) {
	switch {
	case value == "":
		add(field, fmt.Sprintf("%s is required (one of %s)", field, strings.Join(allowed, ", ")))
	case !slices.Contains(allowed, value):
		add(field, fmt.Sprintf("%s must be one of %s", field, strings.Join(allowed, ", ")))
	}
}

func checkDocumentNumber(add func(string, string), docType, number string) {
	if number == "" {
		add("documentNumber", "documentNumber is required")
		return
	}
	if p, ok := documentPatterns[docType]; ok {
		if !p.MatchString(number) {
			add("documentNumber", "documentNumber is not valid: "+documentRules[docType])
		}
		return
	}
	if !otherDocumentPattern.MatchString(number) {
		add("documentNumber", "documentNumber must have 4 to 30 letters, digits or hyphens")
	}
}

// emailProblem explains what is wrong with an (already lower-cased) email, or returns "".
func emailProblem(email string) string {
	switch {
	case email == "":
		return "email is required"
	case len(email) > MaxEmail:
		return fmt.Sprintf("email must have at most %d characters", MaxEmail)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return "email must be an address such as maria@example.com"
	}
	_, domain, _ := strings.Cut(email, "@")
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "email must be an address such as maria@example.com"
	}
	return ""
}

// The unique constraint of (partner, document type, document number), from the foundation schema.
const cardholderDocumentKey = "cardholders_partner_id_document_type_document_number_key"

// CreateCardholder validates the input, creates the cardholder and makes the card in.CardID theirs,
// all in one transaction: the card is taken with a conditional UPDATE, so it can be assigned once
// however many requests race for it. A duplicate document answers 409 (7011) on documentNumber; a
// card that is not an unassigned card of this partner answers 409 (7210) on cardId.
func (s *Store) CreateCardholder(ctx context.Context, actor Actor, partnerID int64, in NewCardholder) (Cardholder, error) {
	in.Normalize()
	var v Validation
	in.Validate(&v, time.Now())
	if err := v.Err(); err != nil {
		return Cardholder{}, err
	}
	var ch Cardholder
	err := s.inTx(ctx, func(tx *sqlx.Tx) (err error) {
		ch, err = createCardholderTx(ctx, tx, actor, partnerID, in)
		return err
	})
	return ch, err
}

// createCardholderTx inserts a validated cardholder and takes their card inside tx, with its audit row.
func createCardholderTx(ctx context.Context, tx *sqlx.Tx, actor Actor, partnerID int64, in NewCardholder) (Cardholder, error) {
	var ch Cardholder
	err := tx.GetContext(ctx, &ch, `
		INSERT INTO cardholders AS ch (partner_id, name, last_name, address, country_of_birth, date_of_birth,
		                               marital_status, gender, phone_number, email, document_type, document_number)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING `+cardholderColumns,
		partnerID, in.Name, in.LastName, in.Address, in.CountryOfBirth, in.DateOfBirth, in.MaritalStatus,
		in.Gender, in.PhoneNumber, in.Email, in.DocumentType, in.DocumentNumber)
	if isUniqueViolation(err, cardholderDocumentKey) {
		var dup Validation
		dup.AddCode("documentNumber", CodeConflict, "a cardholder with this document type and number already exists in this partner")
		return Cardholder{}, dup.Err()
	}
	if err != nil {
		return Cardholder{}, fmt.Errorf("store: unable to create cardholder: %w", err)
	}
	taken, err := takeStockCard(ctx, tx, partnerID, ch.ID, in.CardID)
	if err != nil {
		return Cardholder{}, err
	}
	if !taken {
		var unavailable Validation
		unavailable.AddCode("cardId", CodeCardNotUpdated, notStockCard(in.CardID))
		return Cardholder{}, unavailable.Err()
	}
	return ch, writeAudit(ctx, tx, actor, Event{PartnerID: partnerID, Action: "cardholder.create", ObjectType: "cardholder",
		ObjectID: ch.ID, After: map[string]any{"cardId": in.CardID, "documentType": in.DocumentType}})
}

// ReadCardholder returns a cardholder's personal data and records the read in the audit log; a
// cardholder of another partner is 7100, like one that does not exist.
func (s *Store) ReadCardholder(ctx context.Context, actor Actor, partnerID, cardholderID int64) (Cardholder, error) {
	var ch Cardholder
	err := s.db.GetContext(ctx, &ch, `SELECT `+cardholderColumns+` FROM cardholders ch WHERE ch.id = $1 AND ch.partner_id = $2`,
		cardholderID, partnerID)
	if err != nil {
		return ch, cardholderNotFoundIf(err)
	}
	if err := s.Audit(ctx, actor, Event{PartnerID: partnerID, Action: "cardholder.read", ObjectType: "cardholder", ObjectID: ch.ID}); err != nil {
		return Cardholder{}, err
	}
	return ch, nil
}

// cardholderNotFoundIf turns a missing row into 7100 (the spec's "user not found": cardholders are the
// program's users).
func cardholderNotFoundIf(err error) error {
	if IsCode(notFoundIf(err, "cardholder"), CodeNotFound) {
		return NewError(CodeUserNotFound, "cardholder not found")
	}
	return fmt.Errorf("store: unable to read cardholder: %w", err)
}

// cardholderExists answers 7100 unless the cardholder belongs to the partner.
func cardholderExists(ctx context.Context, q sqlx.QueryerContext, partnerID, cardholderID int64) error {
	var ok bool
	err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM cardholders WHERE id = $1 AND partner_id = $2)`,
		cardholderID, partnerID)
	if err != nil {
		return fmt.Errorf("store: unable to read cardholder: %w", err)
	}
	if !ok {
		return NewError(CodeUserNotFound, "cardholder not found")
	}
	return nil
}
