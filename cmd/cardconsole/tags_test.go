package main

import (
	"context"
	"strconv"
	"testing"

	"cardconsole/store"
	"cardconsole/store/storetest"
)

func TestTagCommands(t *testing.T) {
	commandDatabase(t)
	ctx := context.Background()
	st, err := openStore(ctx, commandConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.CreatePartner(ctx, store.SystemActor("test"), "Acme", "GTQ")
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.FormatInt(p.ID, 10)
	ch := storetest.Cardholder(t, st, p.ID)
	runJSON(t, "operator", "create", "--email", "ops@acme.test", "--password", "a-long-password")

	out := runJSON(t, "cardholder", "tag", "--partner", pid, "--id", strconv.FormatInt(ch, 10), "--tag", "VIP", "--tag", "north")
	if tags := out["tags"].([]any); len(tags) != 2 || tags[0] != "north" || tags[1] != "vip" {
		t.Errorf("cardholder tag: %v", out)
	}
	out = runJSON(t, "operator", "restrict", "--email", "ops@acme.test", "--partner", pid, "--tag", "vip")
	if out["restricted"] != true || out["tags"].([]any)[0] != "vip" {
		t.Errorf("operator restrict: %v", out)
	}
	op, err := st.OperatorByEmail(ctx, "ops@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := st.CardholderVisible(ctx, op.ID, p.ID, ch); err != nil || !ok {
		t.Errorf("tagged cardholder hidden: %v %v", ok, err)
	}
	out = runJSON(t, "operator", "restrict", "--email", "ops@acme.test", "--partner", pid)
	if out["restricted"] != false {
		t.Errorf("lifting the restriction: %v", out)
	}
	for _, args := range [][]string{
		{"operator", "restrict", "--partner", pid},
		{"cardholder", "tag", "--partner", pid, "--id", "999999", "--tag", "x"},
		{"cardholder", "tag", "--partner", pid, "--id", strconv.FormatInt(ch, 10), "--tag", "bad tag!"},
	} {
		if err := run(ctx, args); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
