package store

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// Payloads that need no database (every type but the money ones) are checked without one: whatever
// comes in, the check never panics, and what it accepts is a JSON object that it accepts again
// unchanged.
func FuzzCheckPayload(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ana","email":"ANA@example.com","gender":"F","dateOfBirth":"1990-01-02","countryOfBirth":"GT"}`,
		`{"address":"Calle 1"}`, `{"documentReference":"DPI-1"}`, `{"x":[1,{"y":null}]}`, `null`, `[]`, `"s"`, `{`,
		`{"phoneNumber":"+50255550000","maritalStatus":"casado"}`, `{"name":""}`, `{"address":123}`,
	} {
		for _, typ := range []string{RequestProfile, RequestAddress, RequestVerification, RequestDocument, RequestExternal} {
			f.Add(typ, []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, typ string, raw []byte) {
		switch typ {
		case RequestDeposit, RequestWithdrawal, RequestTransfer:
			return
		}
		p, err := checkPayload(context.Background(), nil, 1, 1, typ, raw)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("%s %q: not a business error: %v", typ, raw, err)
			}
			return
		}
		var m map[string]any
		if err := json.Unmarshal(p.JSON, &m); err != nil || m == nil {
			t.Fatalf("%s %q: accepted payload %q is not an object", typ, raw, p.JSON)
		}
		again, err := checkPayload(context.Background(), nil, 1, 1, typ, p.JSON)
		if err != nil {
			t.Fatalf("%s %q: normalised payload %q refused: %v", typ, raw, p.JSON, err)
		}
		if !bytes.Equal(again.JSON, p.JSON) {
			t.Fatalf("%s: normalising twice changed %q into %q", typ, p.JSON, again.JSON)
		}
	})
}

func FuzzNormalizeColor(f *testing.F) {
	for _, s := range []string{"#fbe1e3", "#ABC", "", "red", "#12345", " #abcdef ", "#gggggg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := NormalizeColor(s)
		if err != nil || c == nil {
			return
		}
		if !colorPattern.MatchString(*c) || len(*c) != 7 || *c != string(bytes.ToLower([]byte(*c))) {
			t.Fatalf("%q normalised to %q", s, *c)
		}
		again, err := NormalizeColor(*c)
		if err != nil || *again != *c {
			t.Fatalf("%q is not stable: %v %v", *c, again, err)
		}
	})
}
