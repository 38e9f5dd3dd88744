package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSONB is a jsonb column that may be NULL; it marshals as the raw JSON, or null.
type JSONB json.RawMessage

// Scan reads a jsonb value; NULL becomes an empty JSONB.
func (j *JSONB) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*j = nil
	case []byte:
		*j = append((*j)[:0], v...)
	case string:
		*j = JSONB(v)
	default:
		return fmt.Errorf("store: cannot scan %T into JSONB", src)
	}
	return nil
}

// Value writes the JSON, or NULL when empty.
func (j JSONB) Value() (driver.Value, error) {
	if len(j) == 0 {
		return nil, nil
	}
	return []byte(j), nil
}

// MarshalJSON writes the raw JSON, or null when empty.
func (j JSONB) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON keeps the raw JSON.
func (j *JSONB) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}
