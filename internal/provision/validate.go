package provision

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// FieldError is one refused field: Field names it as the API's JSON does
// (xsi_url, admin_email, …), Code says what is wrong in a word the console
// translates, Message says it in English.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Field error codes.
const (
	CodeRequired    = "required"
	CodeTooLong     = "too_long"
	CodeInvalid     = "invalid"
	CodeInsecureURL = "insecure_url"
)

// ValidationError lists every refused field of a request at once.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Field + ": " + f.Message
	}
	return "provision: " + strings.Join(msgs, "; ")
}

// problems gathers field errors.
type problems []FieldError

func (p *problems) add(field, code, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// err is nil without problems, else a *ValidationError.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Fields: p}
}

// text checks a free-text field: required or not, at most max characters,
// no control characters.
func (p *problems) text(field, v string, required bool, maxChars int) {
	switch {
	case v == "" && required:
		p.add(field, CodeRequired, "is required")
	case utf8.RuneCountInString(v) > maxChars:
		p.add(field, CodeTooLong, "is longer than %d characters", maxChars)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
		p.add(field, CodeInvalid, "holds characters that are not text")
	}
}

// email checks an e-mail address field.
func (p *problems) email(field, v string) {
	switch {
	case v == "":
		p.add(field, CodeRequired, "is required")
	case len(v) > 320:
		p.add(field, CodeTooLong, "is longer than 320 characters")
	case strings.Count(v, "@") != 1 || strings.HasPrefix(v, "@") || strings.HasSuffix(v, "@") ||
		strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		p.add(field, CodeInvalid, "is not an e-mail address")
	}
}

// NewCompany is a company to create.
type NewCompany struct {
	Name       string
	AdminEmail string
	// ExternalID is the ordering system's id of the company ("": none); a
	// second creation with it returns the first company.
	ExternalID string
}

// Validate reports every problem of c at once (a *ValidationError).
func (c NewCompany) Validate() error {
	var p problems
	p.text("name", strings.TrimSpace(c.Name), true, 200)
	p.email("admin_email", strings.TrimSpace(c.AdminEmail))
	p.text("external_id", c.ExternalID, false, 255)
	return p.err()
}

// Connection is a Centrex connection to set, with the flag that accepts a
// plain-http or non-public URL (a test system, a simulator).
type Connection struct {
	centrex.Connection
	AllowInsecureURL bool
}

// Normalize trims the connection's fields as every caller does.
func (c Connection) Normalize() Connection {
	c.BaseURL = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	c.UserID = strings.TrimSpace(c.UserID)
	c.GroupID = strings.TrimSpace(c.GroupID)
	c.EnterpriseID = strings.TrimSpace(c.EnterpriseID)
	c.DirectoryUserID = strings.TrimSpace(c.DirectoryUserID)
	return c
}

// ValidateConnection reports every problem of a (normalized) connection
// at once: the URL must be the XSP root, http(s), without credentials, a
// query or a fragment, and, unless AllowInsecureURL, https on a public
// address (the Centrex password is sent there); the ids must look like
// BroadWorks ids; the password is required. resolve looks the URL's host
// up (nil: the system's resolver).
func ValidateConnection(ctx context.Context, c Connection, resolve func(ctx context.Context, host string) ([]netip.Addr, error)) error {
	var p problems
	u, err := url.Parse(c.BaseURL)
	switch {
	case c.BaseURL == "":
		p.add("xsi_url", CodeRequired, "is required")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		p.add("xsi_url", CodeInvalid, "must be an http(s) URL such as https://xsp.example.com")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		p.add("xsi_url", CodeInvalid, "must not carry credentials, a query or a fragment")
	case strings.Contains(strings.ToLower(u.Path), "com.broadsoft.xsi"):
		p.add("xsi_url", CodeInvalid, "is the XSP root: leave out /com.broadsoft.xsi-actions")
	case !c.AllowInsecureURL:
		if msg := insecureURL(ctx, u, resolve); msg != "" {
			p.add("xsi_url", CodeInsecureURL, "%s", msg)
		}
	}
	ids := []struct{ field, value string }{
		{"user", c.UserID}, {"group", c.GroupID}, {"enterprise", c.EnterpriseID}, {"directory_user", c.DirectoryUserID},
	}
	for _, id := range ids {
		switch {
		case id.value == "" && id.field == "directory_user":
		case id.value == "":
			p.add(id.field, CodeRequired, "is required")
		case len(id.value) > 320 || strings.ContainsFunc(id.value, unicode.IsControl) ||
			(id.field != "group" && id.field != "enterprise" && strings.ContainsFunc(id.value, unicode.IsSpace)):
			p.add(id.field, CodeInvalid, "is not a valid BroadWorks id")
		}
	}
	switch {
	case c.Password == "":
		p.add("password", CodeRequired, "is required")
	case len(c.Password) > 1024 || strings.ContainsAny(c.Password, "\r\n\x00"):
		p.add("password", CodeInvalid, "is not a valid password")
	}
	return p.err()
}

// insecureURL says why the Centrex credential must not be sent to u, or
// returns "": it must be https, and its host a public address or a name
// that resolves only to public addresses, not a loopback, link-local
// (cloud metadata among them), private or unspecified one. The address is
// checked when the connection is set; the gateway does not check it again
// when it connects.
func insecureURL(ctx context.Context, u *url.URL, resolve func(ctx context.Context, host string) ([]netip.Addr, error)) string {
	if u.Scheme != "https" {
		return "must be https: the Centrex password is sent there (allow an insecure URL for a test system)"
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if resolve == nil {
			resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
				return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			}
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if addrs, err = resolve(ctx, host); err != nil {
			return fmt.Sprintf("cannot resolve %s (%v)", host, err)
		}
	}
	for _, a := range addrs {
		if kind := nonPublic(a.Unmap()); kind != "" {
			what := host
			if a.Unmap().String() != host {
				what += " (" + a.Unmap().String() + ")"
			}
			return fmt.Sprintf("%s is %s address, where the Centrex password must not be sent (allow an insecure URL if it is meant)", what, kind)
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
