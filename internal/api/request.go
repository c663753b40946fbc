package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/conecta-zoho/gateway/internal/provision"
)

// maxBody bounds a request body; the largest, a Centrex connection, is
// well under 4 KiB.
const maxBody = 64 << 10

// readBody reads a JSON object body into fields: each known field (a key
// of fields) is decoded into its target, and every unknown field, every
// value of the wrong type and every missing required field is returned, for
// the handler to answer with its own checks' in one 422. A body that is not
// application/json is 415, one that is not a JSON object 400, one over
// maxBody 413: readBody has answered those and returns false.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, fields map[string]any, required ...string) ([]byte, []provision.FieldError, bool) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.writeProblem(w, r, probMediaType, "", nil)
		return nil, nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			s.writeProblem(w, r, probTooLarge, "At most "+strconv.Itoa(maxBody)+" bytes.", nil)
		} else {
			s.writeProblem(w, r, probMalformed, "The body could not be read.", nil)
		}
		return nil, nil, false
	}
	var raw map[string]json.RawMessage
	if !utf8.Valid(body) || json.Unmarshal(body, &raw) != nil || raw == nil {
		s.writeProblem(w, r, probMalformed, "The body must be one JSON object.", nil)
		return nil, nil, false
	}
	var bad []provision.FieldError
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		target, ok := fields[name]
		switch {
		case !ok:
			bad = append(bad, provision.FieldError{Field: name, Code: "unknown", Message: "is not a field of this request"})
		case bytes.Equal(bytes.TrimSpace(raw[name]), []byte("null")):
			// null is the same as leaving the field out.
		case json.Unmarshal(raw[name], target) != nil:
			bad = append(bad, provision.FieldError{Field: name, Code: "type", Message: "has the wrong type: want " + typeName(target)})
		}
	}
	for _, name := range required {
		if v, ok := raw[name]; !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			bad = append(bad, provision.FieldError{Field: name, Code: provision.CodeRequired, Message: "is required"})
		}
	}
	return body, bad, true
}

// refused answers the request's field errors and those of err (a
// *provision.ValidationError, or nil) in one 422; it reports false when
// there are none.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, bad []provision.FieldError, err error) bool {
	var v *provision.ValidationError
	if errors.As(err, &v) {
		for _, f := range v.Fields {
			if !slices.ContainsFunc(bad, func(b provision.FieldError) bool { return b.Field == f.Field }) {
				bad = append(bad, f)
			}
		}
	}
	if len(bad) == 0 {
		return false
	}
	s.writeProblem(w, r, probValidation, "", bad)
	return true
}

func typeName(target any) string {
	switch target.(type) {
	case *bool:
		return "a boolean"
	case *int, *int64:
		return "an integer"
	}
	return "a string"
}

// companyID reads {id} of the path; anything but a positive integer is
// 404, as an id no company has.
func (s *Server) companyID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 || strings.HasPrefix(chi.URLParam(r, "id"), "+") {
		s.writeProblem(w, r, probNotFound, "", nil)
		return 0, false
	}
	return id, true
}
