package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"cardconsole/store"
)

// The demo's well-known credentials, printed by make run.
const (
	demoPassword      = "quetzal-andes-lantern-demo"
	demoMerchant      = "demo-merchant"
	demoSecret        = "demo-secret-not-for-production"
	demoApplicationID = "8f0e2b1c-4d5a-4e6f-9a7b-000000000001"
)

// demoOTPSecrets are the demo operators' fixed authenticator secrets (base32), printed by the seed:
// every demo operator approves or moves money, so each signs in with a one-time code
// (oathtool --totp -b SECRET prints it).
var demoOTPSecrets = map[string]string{
	"admin@demo.test":   "DEMOADMINAAAAAAAAAAAAAAAAAAAAAAA",
	"maker@demo.test":   "DEMOMAKERAAAAAAAAAAAAAAAAAAAAAAA",
	"checker@demo.test": "DEMOCHECKERAAAAAAAAAAAAAAAAAAAAA",
}

// demo carries what earlier steps created to later ones.
type demo struct {
	st        *store.Store
	actor     store.Actor
	partners  map[string]int64 // by name
	operators map[string]int64 // by email
}

// demoSteps build the demo data in order; each feature adds its own step.
var demoSteps = []func(ctx context.Context, d *demo) error{
	seedPartnersAndOperators,
	seedTopUps,
	seedCardholders,
	seedCardFunds,
	seedClientRequests,
}

func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	withDemo := fs.Bool("demo", false, "load the demo data")
	if err := fs.Parse(args); err != nil || !*withDemo {
		return fmt.Errorf("usage: cardconsole seed --demo")
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	done, err := st.SeedApplied(ctx, "demo")
	if err != nil {
		return err
	}
	if !done {
		d := &demo{st: st, actor: store.SystemActor("demo seed"), partners: map[string]int64{}, operators: map[string]int64{}}
		for _, step := range demoSteps {
			if err := step(ctx, d); err != nil {
				return fmt.Errorf("demo data: %w", describe(err))
			}
		}
		if err := st.MarkSeedApplied(ctx, "demo"); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, `
Demo logins (password %q for each, then a one-time code: oathtool --totp -b SECRET):
  admin@demo.test    admin of both partners, sees the audit log              secret %s
  maker@demo.test    maker on Quetzal Pay: creates top-ups, cardholders, loads cards  secret %s
  checker@demo.test  checker on both partners: approves what makers create   secret %s
Demo application: merchant %q, secret %q, x-application-id %q
`, demoPassword, demoOTPSecrets["admin@demo.test"], demoOTPSecrets["maker@demo.test"], demoOTPSecrets["checker@demo.test"],
		demoMerchant, demoSecret, demoApplicationID)
	return printJSON(map[string]any{"demo": "loaded", "alreadyPresent": done})
}

func seedPartnersAndOperators(ctx context.Context, d *demo) error {
	for _, p := range []struct{ name, currency string }{{"Quetzal Pay", "GTQ"}, {"Andes Wallet", "USD"}} {
		created, err := d.st.CreatePartner(ctx, d.actor, p.name, p.currency)
		if err != nil {
			return err
		}
		if err := d.st.SetPartnerCountry(ctx, d.actor, created.ID, "GT"); err != nil {
			return err
		}
		d.partners[p.name] = created.ID
	}
	grants := []struct {
		email   string
		partner string
		roles   []string
	}{
		{"admin@demo.test", "Quetzal Pay", []string{"admin"}},
		{"admin@demo.test", "Andes Wallet", []string{"admin"}},
		{"maker@demo.test", "Quetzal Pay", []string{"maker"}},
		{"checker@demo.test", "Quetzal Pay", []string{"checker"}},
		{"checker@demo.test", "Andes Wallet", []string{"checker"}},
	}
	for _, g := range grants {
		if _, ok := d.operators[g.email]; !ok {
			op, err := d.st.CreateOperator(ctx, d.actor, g.email, demoPassword, false)
			if err != nil {
				return err
			}
			d.operators[g.email] = op.ID
			if err := d.st.EnrolOTP(ctx, d.actor, op.ID, demoOTPSecrets[g.email]); err != nil {
				return err
			}
		}
		if err := d.st.Grant(ctx, d.actor, d.operators[g.email], d.partners[g.partner], g.roles, nil); err != nil {
			return err
		}
	}
	_, err := d.st.CreateApplicationWith(ctx, d.actor, "Demo issuer app",
		[]int64{d.partners["Quetzal Pay"], d.partners["Andes Wallet"]},
		store.NewApplication{Merchant: demoMerchant, Secret: demoSecret, ApplicationID: demoApplicationID})
	return err
}
