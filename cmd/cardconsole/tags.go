package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"cardconsole/store"
)

// tagCommand runs "operator restrict" (the tags an operator is restricted to on a partner) and
// "cardholder tag" (the tags of a cardholder). Each replaces the whole set; no --tag empties it.
func tagCommand(ctx context.Context, cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		email        string
		partner      int64
		cardholderID int64
		tags         listFlag
	)
	fs.Int64Var(&partner, "partner", 0, "partner id")
	fs.Var(&tags, "tag", "tag (repeatable; none clears the set)")
	if cmd == "operator restrict" {
		fs.StringVar(&email, "email", "", "operator email")
	} else {
		fs.Int64Var(&cardholderID, "id", 0, "cardholder id")
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if partner <= 0 || (cmd == "operator restrict" && email == "") || (cmd == "cardholder tag" && cardholderID <= 0) {
		if cmd == "operator restrict" {
			return fmt.Errorf("operator restrict needs --email and --partner, and takes --tag (repeatable)")
		}
		return fmt.Errorf("cardholder tag needs --partner and --id, and takes --tag (repeatable)")
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
	if cmd == "cardholder tag" {
		set, err := st.SetCardholderTags(ctx, actor, partner, cardholderID, tags)
		if err != nil {
			return describe(err)
		}
		return printJSON(map[string]any{"cardholderId": cardholderID, "partnerId": partner, "tags": set})
	}
	op, err := st.OperatorByEmail(ctx, email)
	if err != nil {
		return describe(err)
	}
	set, err := st.RestrictOperator(ctx, actor, op.ID, partner, tags)
	if err != nil {
		return describe(err)
	}
	return printJSON(map[string]any{"operatorId": op.ID, "partnerId": partner, "tags": set, "restricted": len(set) > 0})
}
