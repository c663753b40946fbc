package buildinfo

import (
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

func TestFrom(t *testing.T) {
	t.Parallel()
	vcs := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0a1b2c3d"}, {Key: "vcs.time", Value: "2026-01-30T09:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	for _, tc := range []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  Info
	}{
		{"nothing known", "", "", "", nil, Info{Version: "devel", Commit: "unknown", Date: "unknown"}},
		{"from the checkout", "", "", "", vcs,
			Info{Version: "devel", Commit: "0a1b2c3d", Date: "2026-01-30T09:00:00Z", GoVersion: "go1.26.8", Modified: true}},
		{"the linker wins", "v1.4.0", "ffff", "2026-02-01", vcs,
			Info{Version: "v1.4.0", Commit: "ffff", Date: "2026-02-01", GoVersion: "go1.26.8", Modified: true}},
		{"go install at a version", "", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.2"}},
			Info{Version: "v1.3.2", Commit: "unknown", Date: "unknown", GoVersion: "go1.26.8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := from(tc.version, tc.commit, tc.date, tc.bi)
			if tc.want.GoVersion == "" {
				tc.want.GoVersion = got.GoVersion
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if s := from("v1", "abc", "today", vcs).String(); s != "gateway v1, commit abc (modified), built today, go1.26.8" {
		t.Errorf("String() = %q", s)
	}
}

// TestLinkerFlagsNameTheVariables: the linker ignores -X for a symbol that
// does not exist, so a renamed variable would silently leave every release
// "devel". The Dockerfile and the Makefile must set exactly this package's
// three variables.
func TestLinkerFlagsNameTheVariables(t *testing.T) {
	t.Parallel()
	want := []string{"commit", "date", "version"}
	re := regexp.MustCompile(`-X[ =]?'?"?(\S+?)\.(\w+)=`)
	for _, file := range []string{"../../Dockerfile", "../../Makefile"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], "internal/buildinfo") {
				t.Errorf("%s: -X %s.%s is not this package", file, m[1], m[2])
			}
			got = append(got, m[2])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s sets %v, want %v", file, got, want)
		}
	}
}
