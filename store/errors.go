package store

import (
	"errors"
	"fmt"
)

// Code is an error code of the catalog: a string between 7000 and 8099 (docs/errors.md).
type Code string

// The catalog codes. The HTTP status each implies is decided in web, the one place that speaks HTTP.
const (
	CodeCheckParameters     Code = "7000" // CHECK_PARAMETERS: a field is missing or invalid
	CodeGreaterThanZero     Code = "7001" // GREATER_THAN_ZERO: an amount must be positive
	CodeInvalidFormatAmount Code = "7002" // INVALID_FORMAT_AMOUNT: not a decimal with at most 4 places
	CodeConsultWithSupport  Code = "7003" // CONSULT_WITH_SUPPORT: an internal failure
	CodeUnauthorized        Code = "7004" // UNAUTHORIZED: missing, expired or revoked credentials
	CodeForbidden           Code = "7005" // FORBIDDEN: authenticated, but not allowed
	CodeExternalIDExists    Code = "7006" // EXTERNAL_ID_ALREADY_EXISTS: a reference reused with another body
	CodeOTPRequired         Code = "7007" // OTP_REQUIRED: this action needs a one-time code
	CodeOTPInvalid          Code = "7008" // OTP_INVALID: wrong, expired or already used code
	CodeTooManyAttempts     Code = "7009" // TOO_MANY_ATTEMPTS: locked for a while after repeated failures
	CodeNotFound            Code = "7010" // NOT_FOUND
	CodeConflict            Code = "7011" // CONFLICT: the object is not in a state that allows this
	CodePayloadTooLarge     Code = "7012" // PAYLOAD_TOO_LARGE
	CodeUnsupportedMedia    Code = "7013" // UNSUPPORTED_MEDIA_TYPE
	CodeCSRF                Code = "7014" // CSRF_REJECTED: a state change without a valid console token
	CodeSecondFactorNeeded  Code = "7015" // SECOND_FACTOR_REQUIRED: the password was right; a one-time code completes the sign-in
	CodeLastAdmin           Code = "7016" // LAST_ADMIN: the change would leave a partner without an active operator who can grant
	CodeInvitationInvalid   Code = "7017" // INVITATION_INVALID: an invitation link unknown, expired or already used
	CodeUnavailable         Code = "7018" // SERVICE_UNAVAILABLE: the database cannot be reached; try again
	CodeUserNotFound        Code = "7100" // user not found
	CodeCardholderClosed    Code = "7101" // CARDHOLDER_CLOSED: a closed cardholder is read-only
	CodeCardholderHasFunds  Code = "7102" // CARDHOLDER_HAS_FUNDS: closing while a card holds money
	CodeCardNotFound        Code = "7200" // card not found
	CodeCardNotUpdated      Code = "7210" // CARD_NOT_UPDATED
	CodeInvalidStatusCard   Code = "7213" // INVALID_STATUS_CARD
	CodeThirdPartyNotFound  Code = "7220" // THIRD_PARTY_CARD_NOT_FOUND
	CodeThirdPartyCreate    Code = "7221" // ERROR_CREATING_THIRD_PARTY_CARD
	CodeInsufficientFunds   Code = "7303" // INSUFFICIENT_FUNDS
	CodeAlreadyReversed     Code = "7304" // MOVEMENT_ALREADY_REVERSED: reversed, or a reversal is pending
)

// FieldError is one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Error is a business error with its catalog code. Validation errors carry one FieldError per bad field.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Data    any // what the caller needs to go on, answered as the envelope's data (a sign-in challenge, the batch a repeated upload names); usually nil
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s %s (%d invalid fields)", e.Code, e.Message, len(e.Fields))
	}
	return string(e.Code) + " " + e.Message
}

// AsError returns the business error inside err, if there is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsCode reports whether err is a business error with the given code.
func IsCode(err error, code Code) bool {
	e, ok := AsError(err)
	return ok && e.Code == code
}

// NewError makes a business error.
func NewError(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// NotFound says that the object does not exist or is not visible to the caller: the two are never told apart.
func NotFound(what string) *Error { return &Error{Code: CodeNotFound, Message: what + " not found"} }

// Conflict says that the object's state does not allow the action.
func Conflict(message string) *Error { return &Error{Code: CodeConflict, Message: message} }

// Validation collects invalid fields; its Err is nil while nothing was added.
type Validation struct{ fields []FieldError }

// Add records an invalid field with code 7000.
func (v *Validation) Add(field, message string) { v.AddCode(field, CodeCheckParameters, message) }

// AddCode records an invalid field with a specific catalog code.
func (v *Validation) AddCode(field string, code Code, message string) {
	v.fields = append(v.fields, FieldError{Field: field, Code: code, Message: message})
}

// Has reports whether the field already has an error.
func (v *Validation) Has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns the validation error, or nil when every field was valid. The error's code is the
// first field's code, so a lone amount error answers 7001 or 7002 rather than 7000.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: v.fields[0].Code, Message: "invalid parameters", Fields: v.fields}
}

// FieldErrors indexes a validation error's messages by field, for forms.
func FieldErrors(err error) map[string]string {
	e, ok := AsError(err)
	if !ok || len(e.Fields) == 0 {
		return nil
	}
	m := make(map[string]string, len(e.Fields))
	for _, f := range e.Fields {
		if _, seen := m[f.Field]; !seen {
			m[f.Field] = f.Message
		}
	}
	return m
}
