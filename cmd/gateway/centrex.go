package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/store"
)

const setCentrexUsage = `usage: gateway company set-centrex --company NAME --xsi-url URL --user USERID
         --group GROUP --enterprise ID [--service-provider] [--directory-user SEAT]
         [--events http|channel] [--allow-insecure-url] --password-stdin
       gateway company set-centrex --company NAME --events http|channel
Sets the company's Centrex (BroadWorks Xsi) connection; the password is read from the first line of
standard input and stored encrypted with SECRET_KEY. The gateway sends that password to the URL, so
it must be https on a public address unless --allow-insecure-url says otherwise. --events chooses how
call events arrive: http (the XSP posts them to the gateway; it must reach PUBLIC_URL) or channel (the
gateway holds a streaming event channel open to the XSP); a new connection starts with http, and
--events alone changes only that.`

// cmdCompanySetCentrex runs `gateway company set-centrex`.
func cmdCompanySetCentrex(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("company set-centrex", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprintln(e.stderr, setCentrexUsage); fs.PrintDefaults() }
	company := fs.String("company", "", "company name, e.g. Fermax")
	rawURL := fs.String("xsi-url", "", "XSP root, e.g. https://xsp.conecta.example (no /com.broadsoft.xsi-actions)")
	user := fs.String("user", "", "Xsi user id: a group administrator or a seat, e.g. fermax.admin@conecta.orange.es")
	group := fs.String("group", "", "BroadWorks group id, e.g. Fermax_Madrid")
	enterprise := fs.String("enterprise", "", "the group's enterprise (or service provider) id")
	sp := fs.Bool("service-provider", false, "--enterprise names a service provider, not an enterprise")
	dirUser := fs.String("directory-user", "", "seat whose group directory is read (default: --user)")
	fromStdin := fs.Bool("password-stdin", false, "read the Xsi password from the first line of standard input (required)")
	insecure := fs.Bool("allow-insecure-url", false, "accept a plain-http URL, or one on a loopback, link-local or private address (a test system, a simulator, a private interconnect)")
	events := fs.String("events", "", "how call events arrive: http (HTTP contact) or channel (streaming event channel)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	*events = strings.TrimSpace(*events)
	if *events != "" && *events != store.EventsHTTP && *events != store.EventsChannel {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: --events must be http or channel, not %q\n%s\n", *events, setCentrexUsage)
		return exitUsage
	}
	onlyEvents := *events != ""
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "company" && f.Name != "events" {
			onlyEvents = false
		}
	})
	if onlyEvents {
		return setCentrexEvents(ctx, strings.TrimSpace(*company), *events, e)
	}
	conn := centrex.Connection{
		BaseURL: strings.TrimRight(strings.TrimSpace(*rawURL), "/"), UserID: strings.TrimSpace(*user),
		GroupID: strings.TrimSpace(*group), EnterpriseID: strings.TrimSpace(*enterprise), IsEnterprise: !*sp,
		DirectoryUserID: strings.TrimSpace(*dirUser),
	}
	problems := validateConnection(conn)
	if len(problems) == 0 && !*insecure {
		if p := insecureXsiURL(ctx, conn.BaseURL); p != "" {
			problems = append(problems, p)
		}
	}
	if strings.TrimSpace(*company) == "" {
		problems = append([]string{"--company is required"}, problems...)
	}
	if !*fromStdin {
		problems = append(problems, "--password-stdin is required: the password is never taken from the command line")
	}
	if fs.NArg() > 0 {
		problems = append(problems, "unexpected arguments: "+strings.Join(fs.Args(), " "))
	}
	if len(problems) > 0 {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: %s\n%s\n", strings.Join(problems, "; "), setCentrexUsage)
		return exitUsage
	}
	pw, err := readSecretLine(e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: %v\n", err)
		return exitUsage
	}
	conn.Password = pw

	a, _, code := openApp(ctx, "company set-centrex", e, true)
	if a == nil {
		return code
	}
	defer a.Close()
	st := a.Store
	c, code := companyByName(ctx, st, "company set-centrex", *company, e)
	if code != exitOK {
		return code
	}
	if err := st.SetCentrexConnection(ctx, c.ID, conn); err != nil {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: %v\n", err)
		return exitFailure
	}
	detail := map[string]string{"xsi_url": conn.BaseURL, "user": conn.UserID, "group": conn.GroupID}
	if *events != "" {
		if err := st.SetCentrexEvents(ctx, c.ID, *events); err != nil {
			fmt.Fprintf(e.stderr, "gateway company set-centrex: %v\n", err)
			return exitFailure
		}
		detail["events"] = *events
	}
	if err := st.Audit(ctx, c.ID, "operator", "centrex.connection_set", detail); err != nil {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "Centrex connection of %q set: %s as %s, group %s; run `gateway seats sync --company %q`\n",
		c.Name, conn.BaseURL, conn.UserID, conn.GroupID, c.Name)
	return exitOK
}

// setCentrexEvents changes only how the company's call events arrive.
func setCentrexEvents(ctx context.Context, name, events string, e env) int {
	if name == "" {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: --company is required\n%s\n", setCentrexUsage)
		return exitUsage
	}
	a, _, code := openApp(ctx, "company set-centrex", e, false)
	if a == nil {
		return code
	}
	defer a.Close()
	c, code := companyByName(ctx, a.Store, "company set-centrex", name, e)
	if code != exitOK {
		return code
	}
	err := a.Store.SetCentrexEvents(ctx, c.ID, events)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: %q has no Centrex connection yet: set it first (--xsi-url …)\n", c.Name)
		return exitFailure
	}
	if err == nil {
		err = a.Store.Audit(ctx, c.ID, "operator", "centrex.events_set", map[string]string{"events": events})
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "gateway company set-centrex: %v\n", err)
		return exitFailure
	}
	how := "the XSP posts them to the gateway's HTTP contact"
	if events == store.EventsChannel {
		how = "the gateway holds a streaming event channel open to the XSP"
	}
	fmt.Fprintf(e.stdout, "Call events of %q now arrive by %s: %s (a running gateway switches within a minute)\n", c.Name, events, how)
	return exitOK
}

// validateConnection reports every problem of the flags' connection.
func validateConnection(c centrex.Connection) []string {
	var problems []string
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		problems = append(problems, "--xsi-url is required")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		problems = append(problems, "--xsi-url must be an http(s) URL such as https://xsp.example.com")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		problems = append(problems, "--xsi-url must not carry credentials, a query or a fragment")
	case strings.Contains(strings.ToLower(u.Path), "com.broadsoft.xsi"):
		problems = append(problems, "--xsi-url is the XSP root: leave out /com.broadsoft.xsi-actions")
	}
	ids := []struct{ flag, value string }{
		{"--user", c.UserID}, {"--group", c.GroupID}, {"--enterprise", c.EnterpriseID}, {"--directory-user", c.DirectoryUserID},
	}
	for _, id := range ids {
		switch {
		case id.value == "" && id.flag == "--directory-user":
		case id.value == "":
			problems = append(problems, id.flag+" is required")
		case len(id.value) > 320 || strings.ContainsFunc(id.value, unicode.IsControl) ||
			(id.flag != "--group" && id.flag != "--enterprise" && strings.ContainsFunc(id.value, unicode.IsSpace)):
			problems = append(problems, id.flag+" is not a valid BroadWorks id")
		}
	}
	return problems
}

// insecureXsiURL says why the Centrex credential must not be sent to
// rawURL (a valid http(s) URL), or returns "": it must be https, and its
// host a public address or a name that resolves only to public addresses,
// not a loopback, link-local (cloud metadata among them), private or
// unspecified one. The address is checked when the connection is set; the
// gateway does not check it again when it connects.
func insecureXsiURL(ctx context.Context, rawURL string) string {
	u, _ := url.Parse(rawURL)
	if u.Scheme != "https" {
		return "--xsi-url must be https: the Centrex password is sent there (--allow-insecure-url for a test system)"
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host); err != nil {
			return fmt.Sprintf("--xsi-url: cannot resolve %s (%v)", host, err)
		}
	}
	for _, a := range addrs {
		if kind := nonPublic(a.Unmap()); kind != "" {
			what := host
			if a.Unmap().String() != host {
				what += " (" + a.Unmap().String() + ")"
			}
			return fmt.Sprintf("--xsi-url: %s is %s address, where the Centrex password must not be sent; --allow-insecure-url if it is meant", what, kind)
		}
	}
	return ""
}

// sharedAddressSpace is 100.64.0.0/10 (RFC 6598, carrier-grade NAT).
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// nonPublic names the kind of a's address if it is not a public one.
func nonPublic(a netip.Addr) string {
	switch {
	case a.IsLoopback():
		return "a loopback"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "a link-local"
	case a.IsPrivate(), sharedAddressSpace.Contains(a):
		return "a private"
	case a.IsUnspecified():
		return "an unspecified"
	case a.IsMulticast():
		return "a multicast"
	}
	return ""
}

// readSecretLine reads a non-empty secret from the first line of r.
func readSecretLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// companyByName finds the named company or reports that it does not exist.
func companyByName(ctx context.Context, st *store.Store, cmd, name string, e env) (store.Company, int) {
	c, err := st.CompanyByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		fmt.Fprintf(e.stderr, "gateway %s: no company named %q\n", cmd, name)
		return c, exitFailure
	} else if err != nil {
		fmt.Fprintf(e.stderr, "gateway %s: %v\n", cmd, err)
		return c, exitFailure
	}
	return c, exitOK
}
