package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/integration"
	"github.com/conecta-zoho/gateway/internal/provision"
	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
)

// ProblemTypePrefix starts every problem's type: the types are URNs, stable
// names rather than pages to fetch; the OpenAPI document lists them.
const ProblemTypePrefix = "urn:conecta-zoho:problem:"

// Problem is an RFC 9457 problem detail. Errors lists every refused field
// of a request that did not validate.
type Problem struct {
	Type     string                 `json:"type"`
	Title    string                 `json:"title"`
	Status   int                    `json:"status"`
	Detail   string                 `json:"detail,omitempty"`
	Instance string                 `json:"instance,omitempty"`
	Errors   []provision.FieldError `json:"errors,omitempty"`
}

// kind is one stable problem type: its name and the status and title it is
// always sent with.
type kind struct {
	name   string
	status int
	title  string
}

// The problem types. Their names are the API's contract: they never change.
var (
	probUnauthorized   = kind{"unauthorized", http.StatusUnauthorized, "An API key is required"}
	probInvalidKey     = kind{"invalid-api-key", http.StatusUnauthorized, "The API key is unknown or revoked"}
	probRateLimited    = kind{"rate-limited", http.StatusTooManyRequests, "Too many requests for this API key"}
	probNotFound       = kind{"not-found", http.StatusNotFound, "No such resource"}
	probMethod         = kind{"method-not-allowed", http.StatusMethodNotAllowed, "Method not allowed"}
	probMalformed      = kind{"malformed-request", http.StatusBadRequest, "The request body is not valid JSON"}
	probMediaType      = kind{"unsupported-media-type", http.StatusUnsupportedMediaType, "The request body must be application/json"}
	probTooLarge       = kind{"body-too-large", http.StatusRequestEntityTooLarge, "The request body is too large"}
	probValidation     = kind{"validation-failed", http.StatusUnprocessableEntity, "The request has invalid fields"}
	probIdemKey        = kind{"invalid-idempotency-key", http.StatusBadRequest, "The Idempotency-Key header is invalid"}
	probIdemReused     = kind{"idempotency-key-reused", http.StatusUnprocessableEntity, "The Idempotency-Key was used for a different request"}
	probCompanyExists  = kind{"company-exists", http.StatusConflict, "A company with that name exists"}
	probExternalID     = kind{"external-id-conflict", http.StatusConflict, "A different company has that external id"}
	probEmailTaken     = kind{"admin-email-taken", http.StatusConflict, "That e-mail belongs to another company's administrator"}
	probSwitchedOff    = kind{"company-switched-off", http.StatusConflict, "The company is switched off"}
	probNoCentrex      = kind{"no-centrex-connection", http.StatusConflict, "The company has no Centrex connection"}
	probNoAdmin        = kind{"no-administrator", http.StatusConflict, "The company has no administrator"}
	probEmptyDirectory = kind{"empty-directory", http.StatusConflict, "The Centrex directory listed no seats; nothing was changed"}
	probCentrex        = kind{"centrex-failed", http.StatusBadGateway, "The Centrex did not answer as expected"}
	probZoho           = kind{"zoho-failed", http.StatusBadGateway, "Zoho did not answer as expected"}
	probNotConfigured  = kind{"zoho-not-configured", http.StatusServiceUnavailable, "The gateway has no Zoho client configured"}
	probInternal       = kind{"internal-error", http.StatusInternalServerError, "Internal error"}
)

// problemKinds lists every problem type (the OpenAPI document's list is
// checked against it).
var problemKinds = []kind{probUnauthorized, probInvalidKey, probRateLimited, probNotFound, probMethod, probMalformed,
	probMediaType, probTooLarge, probValidation, probIdemKey, probIdemReused, probCompanyExists, probExternalID,
	probEmailTaken, probSwitchedOff, probNoCentrex, probNoAdmin, probEmptyDirectory, probCentrex, probZoho,
	probNotConfigured, probInternal}

// errNoAdministrator: the company has no administrator to reset.
var errNoAdministrator = errors.New("api: the company has no administrator")

// writeProblem answers with a problem of kind k.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, k kind, detail string, fields []provision.FieldError) {
	p := Problem{Type: ProblemTypePrefix + k.name, Title: k.title, Status: k.status, Detail: detail,
		Instance: r.URL.Path, Errors: fields}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(k.status)
	_, _ = w.Write(b)
}

// fail answers err as the problem it is; anything unexpected is logged and
// answered as an internal error without its text.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var verr *provision.ValidationError
	var ierr *integration.Error
	switch {
	case errors.As(err, &verr):
		s.writeProblem(w, r, probValidation, "", verr.Fields)
	case errors.Is(err, store.ErrSwitchedOff):
		s.writeProblem(w, r, probSwitchedOff, "Switch the company on in the operator console first.", nil)
	case errors.Is(err, store.ErrIdempotencyMismatch):
		s.writeProblem(w, r, probIdemReused, "", nil)
	case errors.Is(err, store.ErrExternalIDTaken):
		s.writeProblem(w, r, probExternalID, "", nil)
	case errors.Is(err, store.ErrCompanyExists):
		s.writeProblem(w, r, probCompanyExists, "", nil)
	case errors.Is(err, store.ErrAdminEmailTaken):
		s.writeProblem(w, r, probEmailTaken, "", nil)
	case errors.Is(err, errNoAdministrator):
		s.writeProblem(w, r, probNoAdmin, "", nil)
	case errors.Is(err, seats.ErrNoConnection):
		s.writeProblem(w, r, probNoCentrex, "Set it with PUT …/centrex first.", nil)
	case errors.Is(err, seats.ErrEmptyDirectory):
		s.writeProblem(w, r, probEmptyDirectory, "", nil)
	case errors.Is(err, store.ErrNotFound):
		s.writeProblem(w, r, probNotFound, "", nil)
	case errors.As(err, &ierr) && ierr.Code == integration.CodeNotConfigured:
		s.writeProblem(w, r, probNotConfigured, "", nil)
	case errors.As(err, &ierr):
		s.writeProblem(w, r, probZoho, "Zoho: "+ierr.Code+".", nil)
	case errors.As(err, new(*centrex.Error)):
		s.writeProblem(w, r, probCentrex, centrexDetail(err), nil)
	default:
		s.logger.ErrorContext(r.Context(), "api: internal error", "method", r.Method, "path", r.URL.Path, "error", err)
		s.writeProblem(w, r, probInternal, "", nil)
	}
}

// centrexDetail says what the Centrex did, without the credential.
func centrexDetail(err error) string {
	var ce *centrex.Error
	errors.As(err, &ce)
	switch {
	case errors.Is(ce.Kind, centrex.ErrUnauthorized):
		return "The Centrex refused the connection's credential."
	case errors.Is(ce.Kind, centrex.ErrForbidden):
		return "The Centrex credential may not read that group's directory."
	case errors.Is(ce.Kind, centrex.ErrUnavailable):
		return "The Centrex could not be reached or answered with an error; try again later."
	}
	return "The Centrex refused the request: " + ce.Kind.Error() + "."
}

// ProblemTypes names every problem type the API sends.
func ProblemTypes() []string {
	out := make([]string, len(problemKinds))
	for i, k := range problemKinds {
		out[i] = k.name
	}
	return out
}
