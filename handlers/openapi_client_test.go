package handlers_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	// The code oapi-codegen generates imports its runtime: requiring it here keeps it in go.mod, so
	// the generated client builds from the module cache without a network.
	_ "github.com/oapi-codegen/runtime"

	"cardconsole/handlers"
	"cardconsole/internal/apptest"
	"cardconsole/store/storetest"
)

// The program that uses the generated client: it prints the partner's available balance as the
// generated type decodes it.
const generatedClientMain = `package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
)

func main() {
	partner, _ := strconv.ParseInt(os.Args[2], 10, 64)
	c, err := NewClientWithResponses(os.Args[1])
	if err != nil {
		panic(err)
	}
	res, err := c.GetPartnerBalanceWithResponse(context.Background(), PartnerId(partner), func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", os.Getenv("APP_TOKEN"))
		r.Header.Set("x-user-token", os.Getenv("USER_TOKEN"))
		return nil
	})
	if err != nil {
		panic(err)
	}
	if res.JSON200 == nil || res.JSON200.Data == nil {
		panic(fmt.Sprintf("status %d: %s", res.StatusCode(), res.Body))
	}
	fmt.Print(res.JSON200.Data.Available.String())
}
`

// A Go client generated with oapi-codegen from the served document compiles and decodes a partner
// balance of 269473.6234 digit for digit (a float32 would give 269473.62).
func TestGeneratedClientDecodesAmountsExactly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, handlers.Routes)
	partner := env.Partner("Quetzal", "GTQ")
	storetest.CreditPartner(t, env.Store, partner, "269473.6234")
	op := env.Operator("reader@example.com", false, apptest.Grant{Partner: partner, Roles: []string{"admin"}}).Login()
	doc := env.Do(http.MethodGet, "/openapi.json", nil, nil).WantStatus(http.StatusOK).Body

	root := moduleRoot(t)
	dir := t.TempDir()
	spec, client, program := filepath.Join(dir, "openapi.json"), filepath.Join(dir, "client.go"), filepath.Join(dir, "main.go")
	writeFile(t, spec, doc)
	writeFile(t, program, []byte(generatedClientMain))
	run(t, root, nil, "go", "tool", "oapi-codegen", "-generate", "types,client", "-package", "main", "-o", client, spec)

	// The generated package is laid over a directory of the main module that does not exist on disk,
	// so it builds with the module's own requirements and nothing is written to the work tree.
	pkg := filepath.Join(root, "internal", "generatedclient")
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{
		filepath.Join(pkg, "client.go"): client, filepath.Join(pkg, "main.go"): program}})
	overlayFile := filepath.Join(dir, "overlay.json")
	writeFile(t, overlayFile, overlay)
	offline := []string{"GOPROXY=off", "GOFLAGS=-mod=mod"}
	bin := filepath.Join(dir, "client")
	run(t, root, offline, "go", "build", "-overlay", overlayFile, "-o", bin, "./internal/generatedclient")
	h := op.Headers()
	got := run(t, dir, []string{"APP_TOKEN=" + h["Authorization"], "USER_TOKEN=" + h["x-user-token"]},
		bin, env.Server.URL, strconv.FormatInt(partner, 10))
	if got != "269473.6234" {
		t.Fatalf("the generated client decoded the balance as %s, want 269473.6234", got)
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	gomod := run(t, ".", nil, "go", "env", "GOMOD")
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not inside the main module")
	}
	return filepath.Dir(gomod)
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// run runs a command in dir with extra environment and returns its trimmed standard output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}
