package apptest

import (
	"cardconsole/store"
	"cardconsole/store/storetest"
)

// Fixture builds a test's world on an Env: a partner, cardholders with active cards, money on the
// partner's balance, and operators by name, each created on first use and then reused (passwords
// are bcrypt-hashed, which is slow under -race).
type Fixture struct {
	*Env
	Partner int64 // the partner the fixture builds on
	members map[string]*Operator
}

// Fixture creates a partner and returns a builder on it.
func (e *Env) Fixture(partner, currency string) *Fixture {
	e.T.Helper()
	return &Fixture{Env: e, Partner: e.Partner(partner, currency), members: map[string]*Operator{}}
}

// Credit puts amount on the partner's balance.
func (f *Fixture) Credit(amount string) *Fixture {
	f.T.Helper()
	storetest.CreditPartner(f.T, f.Store, f.Partner, amount)
	return f
}

// Cardholder creates a cardholder of the partner and returns its id.
func (f *Fixture) Cardholder() int64 {
	f.T.Helper()
	return storetest.Cardholder(f.T, f.Store, f.Partner)
}

// ActiveCard issues an active card to the partner's cardholder.
func (f *Fixture) ActiveCard(cardholder int64) store.Card {
	f.T.Helper()
	return storetest.ActiveCard(f.T, f.Store, f.Partner, cardholder)
}

// Role is the operator name@example.com holding role on the partner, signed in to the API.
func (f *Fixture) Role(name, role string) *Operator {
	f.T.Helper()
	return f.SignedIn(name, Grant{Partner: f.Partner, Roles: []string{role}})
}

// SignedIn is Member without an authenticator, signed in to the API when first created.
func (f *Fixture) SignedIn(name string, grants ...Grant) *Operator {
	f.T.Helper()
	o := f.Member(name, false, grants...)
	if o.Token == "" {
		o.Login()
	}
	return o
}

// Member is the operator name@example.com with the grants (an authenticator when withOTP), created
// on the first call; later calls return the same operator whatever they pass.
func (f *Fixture) Member(name string, withOTP bool, grants ...Grant) *Operator {
	f.T.Helper()
	if o, ok := f.members[name]; ok {
		return o
	}
	o := f.Operator(name+"@example.com", withOTP, grants...)
	f.members[name] = o
	return o
}
