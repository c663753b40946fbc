package portal

import "testing"

func TestCellNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                     "",
		"Miguel Martín Buil":   "Miguel Martín Buil",
		"910726329":            "910726329",
		"=1+1":                 "'=1+1",
		"+34910000111":         "'+34910000111",
		"-2":                   "'-2",
		"@SUM(A1)":             "'@SUM(A1)",
		"\t=1":                 "'\t=1",
		"  =cmd|' /C calc'!A0": "'  =cmd|' /C calc'!A0",
		"＝1+1":                 "'＝1+1",
		"＋1":                   "'＋1",
		"－1":                   "'－1",
		"＠A1":                  "'＠A1",
		"a=b":                  "a=b",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}
