package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/conecta-zoho/gateway/internal/i18n"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/web"
)

// errorKey resolves an integration error to the message that explains it:
// its key and arguments. ok is false for any other error (a server error).
func errorKey(err error) (key string, args []string, ok bool) {
	var ie *integration.Error
	if !errors.As(err, &ie) {
		return "", nil, false
	}
	key, args = "zoho.err."+ie.Code, ie.Args
	if !i18n.Has(key) {
		key, args = "zoho.err.other", []string{strings.TrimPrefix(ie.Code, "zoho:")}
	}
	return key, args, true
}

// integrationMessage translates an integration error for a page that shows
// it in place (a dialog, a row of a bulk result).
func integrationMessage(l i18n.Lang, err error) (string, bool) {
	key, args, ok := errorKey(err)
	if !ok {
		return "", false
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a
	}
	return l.T(key, vals...), true
}

// flashIntegrationError turns a failed operation into a flash and a
// redirect to `to` (or a 500 for an unexpected error) and reports whether
// there was an error.
func (s *Server) flashIntegrationError(w http.ResponseWriter, r *http.Request, err error, to string) bool {
	if err == nil {
		return false
	}
	key, args, ok := errorKey(err)
	if !ok {
		s.serverError(w, r, err)
		return true
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a
	}
	s.flash(r.Context(), web.FlashError, key, vals...)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return true
}
