// Command cardconsole is the back office of a prepaid card program: it serves the console and the
// JSON APIs, applies migrations, loads demo data, and runs administrative commands that print one
// JSON object each.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: cardconsole <command> [flags]

commands:
  serve                         apply migrations and serve the console and the APIs
  migrate                       apply pending migrations
  seed --demo                   load the demo data (once; running it again changes nothing)
  partner create --name N --currency GTQ
  partner second-factor --partner ID --policy ALL|PRIVILEGED|OFF   who signs in with a one-time code
  app create --name N [--partner ID]...
  operator create --email E --password P [--otp]
  operator grant --email E --partner ID (--role R | --permission resource:action)...
  card issue --partner ID --count N   issue inactive, unassigned stock cards
  operator restrict --email E --partner ID [--tag T]...   see only cardholders with these tags (none: all)
  cardholder tag --partner ID --id CH [--tag T]...       replace a cardholder's tags
  openapi                       print the OpenAPI document

configuration comes from the environment; see README.md.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cardconsole:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, usage)
		return fmt.Errorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx)
	case "migrate":
		return migrate(ctx)
	case "seed":
		return seed(ctx, rest)
	case "partner", "app", "operator", "cardholder":
		if len(rest) == 0 {
			return fmt.Errorf("%s needs a subcommand; see cardconsole help", cmd)
		}
		return admin(ctx, cmd+" "+rest[0], rest[1:])
	case "card":
		return cardCommand(ctx, rest)
	case "openapi":
		return printOpenAPI()
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q; see cardconsole help", cmd)
}

// printJSON writes v as one JSON object on stdout, for scripts.
func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(v)
}
