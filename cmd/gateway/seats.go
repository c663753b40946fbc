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
         seats missing from the file are marked gone; a file with any bad row imports nothing`

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
		st, box, code := openWithSecretKey(ctx, name, e)
		if st == nil {
			return code
		}
		defer st.Close()
		c, code := companyByName(ctx, st, name, *company, e)
		if code != exitOK {
			return code
		}
		res, err := seats.New(seats.Options{Store: st, Box: box}).Sync(ctx, c.ID)
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
	st, _, code := openForCLI(ctx, name, e)
	if st == nil {
		return code
	}
	defer st.Close()
	c, code := companyByName(ctx, st, name, *company, e)
	if code != exitOK {
		return code
	}
	res, err := seats.New(seats.Options{Store: st}).Import(ctx, c.ID, in)
	return reportSync(e, name, c, res, err)
}

// reportSync prints a sync's or import's counts, or its error.
func reportSync(e env, name string, c store.Company, res store.SyncResult, err error) int {
	var ie *seats.ImportError
	switch {
	case errors.As(err, &ie):
		fmt.Fprintln(e.stderr, ie.Error())
		return exitFailure
	case err != nil:
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", name, err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "%s: %d seats (%d added, %d changed, %d back, %d gone)\n",
		c.Name, res.Present, res.Added, res.Changed, res.Returned, res.Gone)
	for _, l := range res.SwitchOff {
		fmt.Fprintf(e.stdout, "  still registered in Zoho: gone seat %s linked to %s; the portal switches it off\n",
			l.SeatUserID, l.ZohoEmail)
	}
	return exitOK
}
