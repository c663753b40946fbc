package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/conecta-zoho/gateway/internal/password"
	"github.com/conecta-zoho/gateway/internal/store"
)

const operatorUsage = `usage: gateway operator create --email EMAIL [--password-stdin]
       gateway operator reset-password --email EMAIL [--password-stdin] [--reset-totp]
       gateway operator disable --email EMAIL
Operators sign in to the operator console at /operator/login with their password and a TOTP code
(enrolled at their first sign-in). A reset or a disable ends their sessions.`

// cmdOperator runs `gateway operator create|reset-password|disable`.
func cmdOperator(ctx context.Context, args []string, e env) int {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	if sub != "create" && sub != "reset-password" && sub != "disable" {
		fmt.Fprintln(e.stderr, operatorUsage)
		return exitUsage
	}
	name := "operator " + sub
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	email := fs.String("email", "", "the operator's e-mail")
	fromStdin, resetTOTP := new(bool), new(bool)
	if sub != "disable" {
		fs.BoolVar(fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	}
	if sub == "reset-password" {
		fs.BoolVar(resetTOTP, "reset-totp", false, "forget the TOTP secret too: the operator enrolls again at the next sign-in")
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if !strings.Contains(*email, "@") || fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "gateway %s: --email must be an e-mail address\n", name)
		return exitUsage
	}
	var pw string
	var generated bool
	if sub != "disable" {
		var err error
		if pw, generated, err = newPassword(*fromStdin, e.stdin); err != nil {
			fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
			return exitUsage
		}
	}
	a, _, code := openApp(ctx, name, e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	st := a.Store
	var o store.Operator
	var err error
	var action string
	switch sub {
	case "create", "reset-password":
		var hash string
		if hash, err = password.Hash(pw, password.Default); err != nil {
			break
		}
		if sub == "create" {
			o, err = st.CreateOperator(ctx, *email, hash)
			action = "operator.created"
		} else {
			o, err = st.SetOperatorPassword(ctx, *email, hash, *resetTOTP)
			action = "operator.password_reset"
		}
	case "disable":
		o, err = st.DisableOperator(ctx, *email)
		action = "operator.disabled"
	}
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(e.stderr, "gateway %s: no operator with e-mail %s\n", name, store.NormalizeEmail(*email))
		return exitFailure
	} else if err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
		return exitFailure
	}
	detail := map[string]string{"email": o.Email}
	if *resetTOTP {
		detail["totp"] = "reset"
	}
	if err := st.OperatorAudit(ctx, store.OperatorAuditEntry{ActorKind: store.ActorCLI, Actor: "operator",
		Action: action, Detail: detail}); err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
		return exitFailure
	}
	switch sub {
	case "create":
		fmt.Fprintf(e.stdout, "created operator %s; they enroll their TOTP app at their first sign-in at /operator/login\n", o.Email)
	case "reset-password":
		fmt.Fprintf(e.stdout, "password of operator %s reset; their open sessions have ended\n", o.Email)
		if *resetTOTP {
			fmt.Fprintln(e.stdout, "their TOTP secret is forgotten: they enroll again at the next sign-in")
		}
	case "disable":
		fmt.Fprintf(e.stdout, "operator %s disabled; their open sessions have ended (reset-password enables them again)\n", o.Email)
	}
	if generated {
		fmt.Fprintf(e.stdout, "password: %s\n", pw)
	}
	return exitOK
}

const apikeyUsage = `usage: gateway apikey create --name NAME
       gateway apikey revoke --name NAME
       gateway apikey list
A key of the provisioning API (/api/v1/), sent as Authorization: Bearer KEY. It is shown once, at
creation; only its SHA-256 is stored. NAME (lower-case letters, digits, . _ -) signs the key's calls
in the audit logs.`

// cmdAPIKey runs `gateway apikey create|revoke|list`.
func cmdAPIKey(ctx context.Context, args []string, e env) int {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	if sub != "create" && sub != "revoke" && sub != "list" {
		fmt.Fprintln(e.stderr, apikeyUsage)
		return exitUsage
	}
	name := "apikey " + sub
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keyName := new(string)
	if sub != "list" {
		fs.StringVar(keyName, "name", "", "the key's name, e.g. orders")
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 || (sub != "list" && !validKeyName(*keyName)) {
		fmt.Fprintf(e.stderr, "gateway %s: --name must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit\n", name)
		return exitUsage
	}
	a, _, code := openApp(ctx, name, e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	st := a.Store
	switch sub {
	case "list":
		keys, err := st.APIKeys(ctx)
		if err != nil {
			fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
			return exitFailure
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCREATED\tLAST USED\tREVOKED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.Name, when(k.CreatedAt), when(k.LastUsedAt), when(k.RevokedAt))
		}
		_ = tw.Flush()
		return exitOK
	case "create":
		k, key, err := st.CreateAPIKey(ctx, *keyName)
		if err != nil {
			fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
			return exitFailure
		}
		if err := st.OperatorAudit(ctx, store.OperatorAuditEntry{ActorKind: store.ActorCLI, Actor: "operator",
			Action: "apikey.created", Detail: map[string]string{"name": k.Name}}); err != nil {
			fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "API key %q created; it is shown this once:\n%s\n", k.Name, key)
		return exitOK
	}
	k, err := st.RevokeAPIKey(ctx, *keyName)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(e.stderr, "gateway %s: no live API key named %q\n", name, *keyName)
		return exitFailure
	} else if err == nil {
		err = st.OperatorAudit(ctx, store.OperatorAuditEntry{ActorKind: store.ActorCLI, Actor: "operator",
			Action: "apikey.revoked", Detail: map[string]string{"name": k.Name}})
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "API key %q revoked\n", k.Name)
	return exitOK
}

// validKeyName is the api_keys.name check of migration 0070.
func validKeyName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i, r := range n {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && (r == '.' || r == '_' || r == '-')
		if !ok {
			return false
		}
	}
	return true
}
