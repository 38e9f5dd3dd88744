package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cardconsole/store"
	"cardconsole/web/openapi"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// admin runs the administrative commands; each prints one JSON object on stdout.
func admin(ctx context.Context, cmd string, args []string) error {
	if cmd == "operator restrict" || cmd == "cardholder tag" {
		return tagCommand(ctx, cmd, args)
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		name, currency, email, password, policy string
		withOTP                                 bool
		partners, roles, permissions            listFlag
	)
	switch cmd {
	case "partner create":
		fs.StringVar(&name, "name", "", "partner name")
		fs.StringVar(&currency, "currency", "", "ISO 4217 currency of its balance")
	case "partner second-factor":
		fs.Var(&partners, "partner", "partner id")
		fs.StringVar(&policy, "policy", "", "ALL, PRIVILEGED or OFF")
	case "app create":
		fs.StringVar(&name, "name", "", "application name")
		fs.Var(&partners, "partner", "partner id the application serves (repeatable)")
	case "operator create":
		fs.StringVar(&email, "email", "", "operator email")
		fs.StringVar(&password, "password", "", "operator password")
		fs.BoolVar(&withOTP, "otp", false, "enrol a TOTP authenticator")
	case "operator grant":
		fs.StringVar(&email, "email", "", "operator email")
		fs.Var(&partners, "partner", "partner id")
		fs.Var(&roles, "role", "role: "+strings.Join(store.RoleNames(), "|")+" (repeatable)")
		fs.Var(&permissions, "permission", "resource:action (repeatable)")
	default:
		return fmt.Errorf("unknown command %q; see cardconsole help", cmd)
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
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
	actor := store.SystemActor("cli")
	partnerIDs, err := parseIDs(partners)
	if err != nil {
		return err
	}
	switch cmd {
	case "partner create":
		p, err := st.CreatePartner(ctx, actor, name, currency)
		if err != nil {
			return describe(err)
		}
		return printJSON(map[string]int64{"id": p.ID})
	case "partner second-factor":
		if len(partnerIDs) != 1 {
			return fmt.Errorf("partner second-factor needs one --partner and --policy")
		}
		if err := st.SetSecondFactorPolicy(ctx, actor, partnerIDs[0], policy); err != nil {
			return describe(err)
		}
		return printJSON(map[string]any{"partnerId": partnerIDs[0], "secondFactor": policy})
	case "app create":
		app, err := st.CreateApplication(ctx, actor, name, partnerIDs)
		if err != nil {
			return describe(err)
		}
		return printJSON(app)
	case "operator create":
		op, err := st.CreateOperator(ctx, actor, email, password, withOTP)
		if err != nil {
			return describe(err)
		}
		return printJSON(op)
	default: // operator grant
		if len(partnerIDs) != 1 || len(roles)+len(permissions) == 0 {
			return fmt.Errorf("operator grant needs --email, one --partner and at least one --role or --permission")
		}
		op, err := st.OperatorByEmail(ctx, email)
		if err != nil {
			return describe(err)
		}
		if err := st.Grant(ctx, actor, op.ID, partnerIDs[0], roles, permissions); err != nil {
			return describe(err)
		}
		g, err := st.GrantsFor(ctx, op.ID, partnerIDs[0])
		if err != nil {
			return err
		}
		return printJSON(map[string]any{"operatorId": op.ID, "partnerId": partnerIDs[0], "roles": g.Roles, "permissions": len(g.Permissions)})
	}
}

func parseIDs(values []string) ([]int64, error) {
	ids := make([]int64, 0, len(values))
	for _, v := range values {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("--partner must be a partner id, got %q", v)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// describe spells out a business error's fields for the command line.
func describe(err error) error {
	e, ok := store.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}

func printOpenAPI() error {
	doc, err := openapi.Document()
	if err != nil {
		return err
	}
	_, err = fmt.Println(string(doc))
	return err
}
