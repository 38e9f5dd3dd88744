package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ResolutionType groups resolutions (documents, funds, compliance...): a catalog shared by every partner.
type ResolutionType struct {
	ID   int64  `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

// Resolution is a reason a partner's operators may cite when they reject a client request.
type Resolution struct {
	ID        int64     `db:"id" json:"id"`
	PartnerID int64     `db:"partner_id" json:"partnerId"`
	TypeID    int64     `db:"type_id" json:"type"`
	TypeName  string    `db:"type_name" json:"typeName"`
	Name      string    `db:"name" json:"name"`
	Text      string    `db:"text" json:"text"`
	Enabled   bool      `db:"enabled" json:"enabled"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}

// ResolutionInput is what creating or replacing a resolution takes.
type ResolutionInput struct {
	PartnerID int64
	TypeID    int64
	Name      string
	Text      string
	Enabled   bool
}

// ResolutionFilter narrows the list of resolutions.
type ResolutionFilter struct {
	PartnerID int64
	Enabled   *bool
	Name      string // substring, case-insensitive
	TypeID    int64
	Limit     int
	Offset    int
}

const resolutionColumns = `r.id, r.partner_id, r.type_id, t.name AS type_name, r.name, r.text, r.enabled, r.created_at, r.updated_at`

// ResolutionTypes lists the resolution types.
func (s *Store) ResolutionTypes(ctx context.Context) ([]ResolutionType, error) {
	out := []ResolutionType{}
	if err := s.db.SelectContext(ctx, &out, `SELECT id, name FROM resolution_types ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: unable to list resolution types: %w", err)
	}
	return out, nil
}

// ListResolutions returns a page of the resolutions of the partners the viewer may see, by name.
func (s *Store) ListResolutions(ctx context.Context, v Viewer, f ResolutionFilter) ([]Resolution, int, error) {
	args := v.args()
	where := partnerAllowedSQL("r.partner_id")
	if f.PartnerID != 0 {
		args = append(args, f.PartnerID)
		where += ` AND r.partner_id = $` + strconv.Itoa(len(args))
	}
	if f.Enabled != nil {
		args = append(args, *f.Enabled)
		where += ` AND r.enabled = $` + strconv.Itoa(len(args))
	}
	if f.Name != "" {
		args = append(args, likeContains(f.Name))
		where += ` AND r.name ILIKE $` + strconv.Itoa(len(args))
	}
	if f.TypeID != 0 {
		args = append(args, f.TypeID)
		where += ` AND r.type_id = $` + strconv.Itoa(len(args))
	}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM resolutions r WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("store: unable to count resolutions: %w", err)
	}
	args = append(args, f.Limit, f.Offset)
	out := []Resolution{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+resolutionColumns+`
		FROM resolutions r JOIN resolution_types t ON t.id = r.type_id
		WHERE `+where+` ORDER BY r.partner_id, lower(r.name), r.id
		LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list resolutions: %w", err)
	}
	return out, total, nil
}

// ResolutionByID returns a resolution of a partner the viewer may see.
func (s *Store) ResolutionByID(ctx context.Context, v Viewer, id int64) (Resolution, error) {
	return resolutionByID(ctx, s.db, v, id, false)
}

func resolutionByID(ctx context.Context, q sqlx.QueryerContext, v Viewer, id int64, lock bool) (Resolution, error) {
	var r Resolution
	query := `SELECT ` + resolutionColumns + ` FROM resolutions r JOIN resolution_types t ON t.id = r.type_id
		WHERE r.id = $4 AND ` + partnerAllowedSQL("r.partner_id")
	if lock {
		query += ` FOR UPDATE OF r`
	}
	err := sqlx.GetContext(ctx, q, &r, query, append(v.args(), id)...)
	if errors.Is(err, sql.ErrNoRows) {
		return r, NotFound("resolution")
	}
	if err != nil {
		return r, fmt.Errorf("store: unable to read resolution: %w", err)
	}
	return r, nil
}

// validate checks a resolution's fields; partnerIDs are the partners the viewer may manage.
func (in *ResolutionInput) validate(partnerIDs []int64) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Text = strings.TrimSpace(in.Text)
	var v Validation
	if in.PartnerID == 0 && len(partnerIDs) == 1 {
		in.PartnerID = partnerIDs[0]
	}
	if in.PartnerID == 0 {
		v.Add("partnerId", "partnerId is required: you manage resolutions of several partners")
	}
	if in.TypeID <= 0 {
		v.Add("type", "type is required (a resolution type id)")
	}
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		v.Add("name", "name is required (at most 100 characters)")
	}
	if len([]rune(in.Text)) > 1000 {
		v.Add("text", "text has at most 1000 characters")
	}
	return v.Err()
}

// CreateResolution adds a resolution to a partner the viewer manages.
func (s *Store) CreateResolution(ctx context.Context, actor Actor, v Viewer, in ResolutionInput) (Resolution, error) {
	partners, err := s.viewerPartners(ctx, v)
	if err != nil {
		return Resolution{}, err
	}
	if err := in.validate(partners); err != nil {
		return Resolution{}, err
	}
	if !slices.Contains(partners, in.PartnerID) {
		return Resolution{}, NewError(CodeForbidden, "you need the permission "+v.Permission+" on that partner")
	}
	var out Resolution
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `INSERT INTO resolutions (partner_id, type_id, name, text, enabled)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, in.PartnerID, in.TypeID, in.Name, in.Text, in.Enabled)
		if err != nil {
			return resolutionWriteError(err)
		}
		if out, err = resolutionByID(ctx, tx, v, id, false); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: in.PartnerID, Action: "resolution.create", ObjectType: "resolution",
			ObjectID: id, After: out})
	})
	return out, err
}

// ResolutionPatch changes the fields it carries; nil fields keep their value.
type ResolutionPatch struct {
	TypeID  *int64
	Name    *string
	Text    *string
	Enabled *bool
}

// UpdateResolution changes a resolution's type, name, text or enabled flag (its partner stays).
func (s *Store) UpdateResolution(ctx context.Context, actor Actor, v Viewer, id int64, p ResolutionPatch) (Resolution, error) {
	var out Resolution
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := resolutionByID(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		in := ResolutionInput{PartnerID: before.PartnerID, TypeID: before.TypeID, Name: before.Name, Text: before.Text,
			Enabled: before.Enabled}
		if p.TypeID != nil {
			in.TypeID = *p.TypeID
		}
		if p.Name != nil {
			in.Name = *p.Name
		}
		if p.Text != nil {
			in.Text = *p.Text
		}
		if p.Enabled != nil {
			in.Enabled = *p.Enabled
		}
		if err := in.validate(nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resolutions SET type_id = $2, name = $3, text = $4, enabled = $5,
			updated_at = now() WHERE id = $1`, id, in.TypeID, in.Name, in.Text, in.Enabled); err != nil {
			return resolutionWriteError(err)
		}
		if out, err = resolutionByID(ctx, tx, v, id, false); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: out.PartnerID, Action: "resolution.update", ObjectType: "resolution",
			ObjectID: id, Before: before, After: out})
	})
	return out, err
}

// DeleteResolution removes a resolution no request cites; one already cited must be disabled instead.
func (s *Store) DeleteResolution(ctx context.Context, actor Actor, v Viewer, id int64) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := resolutionByID(ctx, tx, v, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM resolutions WHERE id = $1`, id); err != nil {
			if isForeignKeyViolation(err) {
				return Conflict("requests cite this resolution; disable it instead")
			}
			return fmt.Errorf("store: unable to delete resolution: %w", err)
		}
		return writeAudit(ctx, tx, actor, Event{PartnerID: before.PartnerID, Action: "resolution.delete", ObjectType: "resolution",
			ObjectID: id, Before: before})
	})
}

func resolutionWriteError(err error) error {
	if isUniqueViolation(err, "resolutions_partner_name_key") {
		return &Error{Code: CodeConflict, Message: "a resolution with this name already exists",
			Fields: []FieldError{{Field: "name", Code: CodeConflict, Message: "already used by another resolution"}}}
	}
	if isForeignKeyViolation(err) {
		var v Validation
		v.Add("type", "unknown resolution type")
		return v.Err()
	}
	return fmt.Errorf("store: unable to save resolution: %w", err)
}

// isForeignKeyViolation reports a foreign key violation (23503).
func isForeignKeyViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23503"
}
