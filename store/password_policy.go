package store

import (
	"fmt"
	"strings"

	"github.com/trustelem/zxcvbn"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// minPasswordScore is the lowest zxcvbn score accepted (0 to 4): 3 is "safely unguessable", which a
// common password, a dictionary word with digits or a keyboard walk never reaches.
const minPasswordScore = 3

// CheckPasswordPolicy refuses a password shorter than MinPasswordLength, one that contains the local
// part of the operator's email, or one the zxcvbn strength estimator (with its shipped lists of
// common passwords, names and words) finds guessable. The message says what to change.
func CheckPasswordPolicy(email, password string) error {
	var v Validation
	local, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	switch {
	case len([]rune(password)) < MinPasswordLength:
		v.Add("password", fmt.Sprintf("password must have at least %d characters", MinPasswordLength))
	case len(local) >= 3 && strings.Contains(strings.ToLower(password), local):
		v.Add("password", "password must not contain the email's name")
	case zxcvbn.PasswordStrength(password, []string{email, local, "cardconsole"}).Score < minPasswordScore:
		v.Add("password", "password is too common or too easy to guess; use a longer phrase of unrelated words")
	}
	return v.Err()
}
