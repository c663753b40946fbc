package seats_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/conecta-zoho/gateway/internal/seats"
	"github.com/conecta-zoho/gateway/internal/store"
)

func TestParseCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		users []string
	}{
		{"english, commas", "user id,number\n910726329@conecta.orange.es,910726329\n910726330@conecta.orange.es,910726330\n",
			[]string{"910726329@conecta.orange.es", "910726330@conecta.orange.es"}},
		{"guide's spanish, semicolons, BOM, CRLF, blank line, any order",
			"\ufeffPuesto Teléfono;Usuario Conecta;Nombre;Apellidos;Correo\r\n910726329;910726329@conecta.orange.es;Miguel;Martín;miguel.martin@satec.es\r\n\r\n+34910726330;910726330@conecta.orange.es;;;\r\n",
			[]string{"910726329@conecta.orange.es", "910726330@conecta.orange.es"}},
		{"quoted fields", "\"User ID\",\"Number\",\"Department\"\n\"a@conecta.orange.es\",\"600000001\",\"Ventas, norte\"\n",
			[]string{"a@conecta.orange.es"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := seats.ParseCSV(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range list {
				got = append(got, s.UserID)
			}
			if !slices.Equal(got, tt.users) {
				t.Fatalf("users %q, want %q", got, tt.users)
			}
		})
	}
	list, _ := seats.ParseCSV(strings.NewReader(tests[1].file))
	if s := list[0]; s.Number != "910726329" || s.FirstName != "Miguel" || s.LastName != "Martín" || s.Email != "miguel.martin@satec.es" {
		t.Fatalf("fields: %+v", s)
	}
}

func TestParseCSVReportsEveryBadLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want []string // "line: fragment"
	}{
		{"bad rows", "user id,number,email\n" +
			"910726329@conecta.orange.es,910726329,\n" + // line 2: fine
			",910726330,\n" + // 3: no user id
			"910726331@conecta.orange.es,91-07,\n" + // 4: bad number
			"910726329@CONECTA.orange.es,910726332,\n" + // 5: repeats line 2
			"has space@conecta.orange.es,910726333,x\n" + // 6: bad user id, bad e-mail
			"910726334@conecta.orange.es\n", // 7: one field
			[]string{"3: user id is empty", "4: number \"91-07\"", "5: repeats line 2", "6: user id \"has space", "6: e-mail \"x\"", "7: 1 fields"}},
		{"header", "usuario,phone,colour,Número\n", []string{"1: unknown column \"colour\"", "1: repeats another column"}},
		{"missing columns", "nombre\nAna\n", []string{"1: missing the user id column", "1: missing the number column"}},
		{"empty file", "", []string{"1: header: the file is empty"}},
		{"no seats", "user id,number\n", []string{"2: no seats"}},
		{"broken quotes", "user id,number\na@b.c,\"600\n", []string{"2: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seats.ParseCSV(strings.NewReader(tt.file))
			var ie *seats.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *ImportError", err)
			}
			if len(ie.Problems) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(ie.Problems), len(tt.want), err)
			}
			for i, p := range ie.Problems {
				line, frag, _ := strings.Cut(tt.want[i], ": ")
				if strconv.Itoa(p.Line) != line || !strings.Contains(p.Msg, strings.TrimSpace(frag)) {
					t.Errorf("problem %d = line %d %q, want line %s containing %q", i, p.Line, p.Msg, line, frag)
				}
			}
		})
	}
}

func TestImportStoresOnlyGoodFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	svc := seats.New(seats.Options{Store: f.st})
	res, err := svc.Import(ctx, f.company, strings.NewReader("user id,number\n910726329@conecta.orange.es,910726329\n910726330@conecta.orange.es,910726330\n"))
	if err != nil || res.Added != 2 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	_, err = svc.Import(ctx, f.company, strings.NewReader("user id,number\n910726331@conecta.orange.es,910726331\nbad,x\n"))
	if err == nil {
		t.Fatal("a file with a bad row was imported")
	}
	page, _ := f.st.SeatTable(ctx, f.company, store.TableQuery{HideGone: true})
	if page.Total != 2 {
		t.Fatalf("after a refused import: %d seats, want the 2 imported before", page.Total)
	}
	last, _ := f.st.LastSeatSync(ctx, f.company)
	if last.Source != store.SourceImport || last.Present != 2 {
		t.Fatalf("last sync: %+v", last)
	}
}

// TestParseCSVChecksNumbersAsTheGatewayReadsThem: the number column is
// checked by the phonenumber package, the one the calls are normalised
// with: a number typed with spaces or a 00 prefix is a number, a short
// extension is not a seat's number.
func TestParseCSVChecksNumbersAsTheGatewayReadsThem(t *testing.T) {
	t.Parallel()
	good := "user id,number\na@conecta.orange.es,+34 910 726 330\nb@conecta.orange.es,0034910726331\nc@conecta.orange.es,(91) 072-6332\n"
	if list, err := seats.ParseCSV(strings.NewReader(good)); err != nil || len(list) != 3 || list[0].Number != "+34 910 726 330" {
		t.Fatalf("good numbers: %+v, %v", list, err)
	}
	_, err := seats.ParseCSV(strings.NewReader("user id,number\na@conecta.orange.es,1011\nb@conecta.orange.es,+34 91 x\n"))
	var ie *seats.ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 2 || !strings.Contains(ie.Problems[0].Msg, "extension column") {
		t.Fatalf("an extension and letters as numbers: %v", err)
	}
}
