package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
)

// The figures of issue 10's table, in the order the summary prints them.
var figureNames = []string{
	"table_ratio",
	"table_statements_per_view",
	"table_writes_per_view",
	"table_cpu_100k_over_10k",
	"events_commit_ratio",
	"events_wal_flushes_per_event",
	"claim_cost_1m_over_empty",
	"clicktodial_added_p50_ms",
	"clicktodial_added_p99_ms",
	"memory_heap_per_call_kib",
	"memory_heap_per_company_kib",
}

// figures collects the run's figures as the sections measure them.
type figures map[string]float64

// set records a figure; the name must be one of figureNames.
func (f figures) set(name string, v float64) {
	for _, n := range figureNames {
		if n == name {
			f[name] = v
			return
		}
	}
	panic("gwbench: unknown figure " + name)
}

// write prints one line per figure measured, `figure NAME VALUE`, in
// figureNames' order, and returns the names of those not measured.
func (f figures) write(w io.Writer) (missing []string) {
	for _, n := range figureNames {
		v, ok := f[n]
		if !ok {
			missing = append(missing, n)
			continue
		}
		fmt.Fprintf(w, "figure %s %s\n", n, formatFigure(v))
	}
	return missing
}

// formatFigure writes v with four significant digits, never in exponent
// form, so that a line splits into exactly three words.
func formatFigure(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "NaN"
	case v == 0:
		return "0"
	}
	digits := 3 - int(math.Floor(math.Log10(math.Abs(v))))
	return strconv.FormatFloat(v, 'f', max(0, digits), 64)
}
