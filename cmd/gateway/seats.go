package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
)

const seatsUsage = `usage: gateway seats sync --company NAME
         read the company's seats from its Centrex group directory (needs SECRET_KEY)
       gateway seats import --company NAME FILE.csv
         replace the company's seats with a CSV file ("-" reads standard input): a header row
         with at least "user id" and "number" (or the guide's "Usuario Conecta", "Puesto Teléfono");
         seats missing from the file are marked gone; a file with any bad row imports nothing
       Both then switch off in Zoho every link whose seat is gone (this needs SECRET_KEY and the
       Zoho settings of the server when there are such links).`

// cmdSeats runs `gateway seats sync|import`.
func cmdSeats(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || (args[0] != "sync" && args[0] != "import") {
		fmt.Fprintln(e.stderr, seatsUsage)
		return exitUsage
	}
	sub := args[0]
	fs := flag.NewFlagSet("seats "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, seatsUsage) }
	company := fs.String("company", "", "company name")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	wantArgs := map[string]int{"sync": 0, "import": 1}[sub]
	if *company == "" || fs.NArg() != wantArgs {
		fmt.Fprintf(e.stderr, "gateway seats %s: --company is required, and import takes one FILE.csv\n%s\n", sub, seatsUsage)
		return exitUsage
	}
	name := "seats " + sub
	if sub == "sync" {
		a, _, code := openApp(ctx, name, e, true)
		if a == nil {
			return code
		}
		defer a.Close()
		c, code := companyByName(ctx, a.Store, name, *company, e)
		if code != exitOK {
			return code
		}
		res, err := a.Seats.Sync(ctx, c.ID)
		return reportSync(e, name, c, res, err)
	}

	var in io.Reader = e.stdin
	if path := fs.Arg(0); path != "-" {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
			return exitFailure
		}
		defer f.Close()
		in = f
	}
	a, _, code := openApp(ctx, name, e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	c, code := companyByName(ctx, a.Store, name, *company, e)
	if code != exitOK {
		return code
	}
	res, err := a.Seats.Import(ctx, c.ID, in)
	return reportSync(e, name, c, res, err)
}

// reportSync prints a sync's or import's counts and the links of gone seats
// it switched off, or its error. Links it could not switch off are an
// error (exit 1) after the counts: the seats are stored, and every running
// gateway tries those links again.
func reportSync(e env, name string, c store.Company, res seats.Result, err error) int {
	var ie *seats.ImportError
	var se *seats.SwitchOffError
	switch {
	case errors.As(err, &ie):
		fmt.Fprintln(e.stderr, ie.Error())
		return exitFailure
	case err != nil && !errors.As(err, &se):
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "%s: %d seats (%d added, %d changed, %d back, %d gone)\n",
		c.Name, res.Present, res.Added, res.Changed, res.Returned, res.Gone)
	for _, l := range res.SwitchedOff {
		fmt.Fprintf(e.stdout, "  switched off in Zoho: gone seat %s linked to %s\n", l.SeatUserID, l.ZohoEmail)
	}
	if se == nil {
		return exitOK
	}
	for _, l := range se.Links {
		fmt.Fprintf(e.stderr, "gateway %s: still registered in Zoho: gone seat %s linked to %s\n", name, l.SeatUserID, l.ZohoEmail)
	}
	fmt.Fprintf(e.stderr, "gateway %s: %v; every running gateway tries again on its next seat round\n", name, se.Err)
	return exitFailure
}
