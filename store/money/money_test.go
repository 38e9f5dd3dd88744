package money

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  error
	}{
		{"10", "10", nil},
		{"0.0001", "0.0001", nil},
		{"150.2500", "150.25", nil},
		{"1.123400000", "1.1234", nil},
		{" 7.5 ", "7.5", nil},
		{"0", "", ErrNotPositive},
		{"-5", "", ErrNotPositive},
		{"0.00001", "", ErrFormat},
		{"1.12345", "", ErrFormat},
		{"1e3", "", ErrFormat},
		{"abc", "", ErrFormat},
		{"", "", ErrFormat},
		{"1,5", "", ErrFormat},
		{"NaN", "", ErrFormat},
		{"12345678901234567", "", ErrFormat},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("Parse(%q) error = %v, want %v", c.in, err, c.err)
			continue
		}
		if err == nil && got.String() != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestRawKeepsTheLiteral(t *testing.T) {
	var body struct {
		A Raw `json:"a"`
		B Raw `json:"b"`
		C Raw `json:"c"`
	}
	if err := json.Unmarshal([]byte(`{"a": 0.1000000000000000055511151231257827, "b": "12.50", "c": null}`), &body); err != nil {
		t.Fatal(err)
	}
	if body.A != "0.1000000000000000055511151231257827" || body.B != "12.50" || body.C != "" {
		t.Fatalf("raw = %+v", body)
	}
	if _, err := Parse(string(body.A)); !errors.Is(err, ErrFormat) {
		t.Fatalf("a float with noise beyond 4 places was accepted: %v", err)
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[string]string{"10": "10.00", "10.5": "10.50", "10.1234": "10.1234", "0.001": "0.001"} {
		d, _ := Parse(in)
		if got := Format(d); got != want {
			t.Errorf("Format(%s) = %s, want %s", in, got, want)
		}
	}
}
