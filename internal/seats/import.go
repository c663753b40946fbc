package seats

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/phonenumber"
	"github.com/conecta-zoho/gateway/internal/store"
)

// maxImportSize bounds an imported file (about 100,000 seats).
const maxImportSize = 16 << 20

// importColumns maps the accepted header names (lower-cased, Spanish or
// English) to the seat field they fill.
var importColumns = map[string]string{
	"user id": "user", "userid": "user", "user_id": "user", "usuario": "user", "usuario conecta": "user",
	"number": "number", "phone": "number", "numero": "number", "número": "number", "puesto teléfono": "number",
	"puesto telefono": "number", "telefono": "number", "teléfono": "number",
	"extension": "extension", "extensión": "extension",
	"first name": "first", "first_name": "first", "nombre": "first",
	"last name": "last", "last_name": "last", "apellidos": "last",
	"email": "email", "e-mail": "email", "correo": "email",
	"department": "department", "departamento": "department",
}

var userIDPattern = regexp.MustCompile(`^[^\s@]+(@[^\s@]+\.[^\s@]+)?$`)

// LineError is one problem of an imported file, at a 1-based line.
type LineError struct {
	Line int
	Msg  string
}

// ImportError lists every problem found in an imported file; nothing was
// imported.
type ImportError struct {
	Problems []LineError
}

// Error lists the problems, one per line.
func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seats: import refused, %d problem(s); nothing was imported:", len(e.Problems))
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  line %d: %s", p.Line, p.Msg)
	}
	return b.String()
}

// Import replaces the company's seats with those of a CSV file, for a
// Centrex without directory access. The first row is a header naming the
// columns (English or the guide's Spanish, any case and order): user id and
// number are required; extension, first name, last name, e-mail and
// department are optional. Fields are separated by commas, or by semicolons
// when the header uses them (spreadsheets in Spanish). The file is the
// complete list: seats missing from it are marked gone.
//
// Every row is checked before anything is stored; if any is wrong, the
// error is an *ImportError naming each bad line, and nothing changes. After
// the import the company's gone seats are reconciled, as after a sync.
func (s *Service) Import(ctx context.Context, companyID int64, r io.Reader) (Result, error) {
	list, err := ParseCSV(r)
	if err != nil {
		return Result{}, err
	}
	res, err := s.store(ctx, companyID, list, store.SourceImport)
	if err != nil {
		return Result{}, fmt.Errorf("seats: import company %d: %w", companyID, err)
	}
	return s.reconciled(ctx, companyID, res)
}

// ParseCSV reads and validates a seats file as Import does, without storing
// it. Its errors are *ImportError values.
func ParseCSV(r io.Reader) ([]centrex.Seat, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("seats: read import: %w", err)
	}
	if len(data) > maxImportSize {
		return nil, &ImportError{[]LineError{{0, fmt.Sprintf("the file is larger than %d MiB", maxImportSize>>20)}}}
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	header, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true

	var problems []LineError
	bad := func(line int, format string, args ...any) {
		problems = append(problems, LineError{line, fmt.Sprintf(format, args...)})
	}
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("the file is empty")
		}
		return nil, &ImportError{[]LineError{{1, "header: " + err.Error()}}}
	}
	cols := make([]string, len(head))
	seen := map[string]bool{}
	for i, h := range head {
		field, ok := importColumns[strings.ToLower(strings.TrimSpace(h))]
		switch {
		case !ok:
			bad(1, "unknown column %q (expected user id, number, extension, first name, last name, email, department)", h)
		case seen[field]:
			bad(1, "column %q repeats another column", h)
		}
		cols[i], seen[field] = field, true
	}
	for _, need := range []string{"user", "number"} {
		if !seen[need] {
			bad(1, "missing the %s column", map[string]string{"user": "user id", "number": "number"}[need])
		}
	}
	if len(problems) > 0 {
		return nil, &ImportError{problems}
	}

	var list []centrex.Seat
	firstLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad(pe.Line, "%v; the rest of the file was not read", pe.Err)
			break
		} else if err != nil {
			return nil, fmt.Errorf("seats: read import: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(cols) {
			bad(line, "%d fields, the header has %d", len(rec), len(cols))
			continue
		}
		st := rowSeat(cols, rec)
		switch {
		case st.UserID == "":
			bad(line, "the user id is empty")
		case len(st.UserID) > 320 || !userIDPattern.MatchString(st.UserID):
			bad(line, "user id %q is not a BroadWorks user id (user or user@domain)", st.UserID)
		case firstLine[strings.ToLower(st.UserID)] != 0:
			bad(line, "user id %q repeats line %d", st.UserID, firstLine[strings.ToLower(st.UserID)])
		default:
			firstLine[strings.ToLower(st.UserID)] = line
		}
		if !seatNumber(st.Number) {
			bad(line, "number %q is not a phone number (7 to 15 digits, optionally with a leading + or 00; an extension goes in the extension column)", st.Number)
		}
		if st.Email != "" && !strings.Contains(st.Email, "@") {
			bad(line, "e-mail %q has no @", st.Email)
		}
		list = append(list, st)
	}
	if len(problems) > 0 {
		return nil, &ImportError{problems}
	}
	if len(list) == 0 {
		return nil, &ImportError{[]LineError{{2, "the file has a header but no seats"}}}
	}
	return list, nil
}

// seatNumber reports whether s is a seat's phone number as the gateway reads
// numbers everywhere (phonenumber): one that normalises to E.164 or to a
// long digit string, not a short extension.
func seatNumber(s string) bool {
	n, err := phonenumber.Parse(s)
	return err == nil && n.Kind != phonenumber.Extension
}

// rowSeat fills a seat from one record, trimming every field.
func rowSeat(cols, rec []string) centrex.Seat {
	var st centrex.Seat
	for i, v := range rec {
		v = strings.TrimSpace(v)
		switch cols[i] {
		case "user":
			st.UserID = v
		case "number":
			st.Number = v
		case "extension":
			st.Extension = v
		case "first":
			st.FirstName = v
		case "last":
			st.LastName = v
		case "email":
			st.Email = v
		case "department":
			st.Department = v
		}
	}
	return st
}
