package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/conecta-zoho/gateway/internal/i18n"
)

// cmdCompanyLanguage runs `gateway company set-language`: the language of
// the messages the gateway sends to the company's Zoho users (click-to-dial
// errors shown in Zoho's call bar).
func cmdCompanyLanguage(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("company set-language", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	name := fs.String("company", "", "company name")
	lang := fs.String("lang", "", "es or en")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if _, ok := i18n.Parse(*lang); !ok || *name == "" || fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "usage: gateway company set-language --company NAME --lang es|en\n")
		return exitUsage
	}
	a, _, code := openApp(ctx, "company set-language", e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	st := a.Store
	c, code := companyByName(ctx, st, "company set-language", *name, e)
	if code != exitOK {
		return code
	}
	if err := st.SetCompanyLanguage(ctx, c.ID, *lang); err != nil {
		fmt.Fprintf(e.stderr, "gateway company set-language: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "messages to %s's Zoho users are now in %s\n", c.Name, i18n.Lang(*lang).Name())
	return exitOK
}
