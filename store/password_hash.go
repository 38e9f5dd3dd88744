package store

import (
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordCost is the bcrypt cost of new password hashes unless UsePasswordCost sets another.
const DefaultPasswordCost = bcrypt.DefaultCost

// UsePasswordCost sets the bcrypt cost of the password hashes this store writes; call it once after
// Open, before serving. Test stores lower it (the race detector makes the default cost take seconds
// per hash); everything else keeps DefaultPasswordCost. Hashes already stored keep their own cost.
func (s *Store) UsePasswordCost(cost int) { s.hashCost = cost }

// passwordCost is the bcrypt cost of this store's new hashes.
func (s *Store) passwordCost() int {
	if s.hashCost == 0 {
		return DefaultPasswordCost
	}
	return s.hashCost
}

// hashPassword hashes a new password at the store's cost.
func (s *Store) hashPassword(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(password), s.passwordCost())
}

// dummyHashes are hashes of a password nobody has, by cost, made once each.
var dummyHashes sync.Map

// dummyHash is compared against when the email is unknown, so both paths take the same time as a
// real hash of that cost.
func dummyHash(cost int) []byte {
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, _ := bcrypt.GenerateFromPassword([]byte("not-a-real-password"), cost)
	actual, _ := dummyHashes.LoadOrStore(cost, h)
	return actual.([]byte)
}
