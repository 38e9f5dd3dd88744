package apptest

import (
	"time"

	"cardconsole/store"
)

// otpSteps is what the kit knows of one operator's authenticator: its secret, the time steps whose
// codes tests were handed, and the steps the kit's own sign-ins spent. A code is accepted once, so
// the kit signs in with a step no test was handed and later hands no test a step it spent.
type otpSteps struct {
	secret string
	handed map[int64]bool
	kit    map[int64]bool
}

// Enrolled records an operator's authenticator secret, as the operator's app would keep it.
func (e *Env) Enrolled(email, secret string) {
	e.otpMu.Lock()
	defer e.otpMu.Unlock()
	e.otp[email] = &otpSteps{secret: secret, handed: map[int64]bool{}, kit: map[int64]bool{}}
}

func (e *Env) steps(email string) *otpSteps {
	e.T.Helper()
	e.otpMu.Lock()
	defer e.otpMu.Unlock()
	st, ok := e.otp[email]
	if !ok {
		e.T.Fatalf("operator %s has no authenticator the test kit knows", email)
	}
	return st
}

// testCode hands a test the code of the current step, first moving the clock past steps the kit's
// sign-ins spent.
func (e *Env) testCode(email string) string {
	e.T.Helper()
	st := e.steps(email)
	e.otpMu.Lock()
	defer e.otpMu.Unlock()
	for st.kit[e.Now().Unix()/30] {
		e.AdvanceClock(30 * time.Second)
	}
	step := e.Now().Unix() / 30
	st.handed[step] = true
	return e.codeAt(st.secret, step)
}

// SignInCode is a code for the second step of a sign-in: of the step before or after the current
// one (both accepted), never one a test was handed or the kit already spent; the clock moves on a
// step when both are taken.
func (e *Env) SignInCode(email string) string {
	e.T.Helper()
	st := e.steps(email)
	e.otpMu.Lock()
	defer e.otpMu.Unlock()
	for {
		cur := e.Now().Unix() / 30
		for _, step := range []int64{cur - 1, cur + 1} {
			if !st.handed[step] && !st.kit[step] {
				st.kit[step] = true
				return e.codeAt(st.secret, step)
			}
		}
		e.AdvanceClock(30 * time.Second)
	}
}

func (e *Env) codeAt(secret string, step int64) string {
	e.T.Helper()
	code, err := store.OTPSecretCode(secret, time.Unix(step*30, 0))
	if err != nil {
		e.T.Fatalf("otp: %v", err)
	}
	return code
}
