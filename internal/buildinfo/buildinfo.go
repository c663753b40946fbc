// Package buildinfo says which build of the gateway is running: its
// version, the commit it was built from and when it was built.
//
// Release builds set the three through the linker (the Dockerfile passes
// its VERSION, COMMIT and BUILD_DATE build arguments, `make build` the
// output of git):
//
//	go build -ldflags "-X github.com/conecta-zoho/gateway/internal/buildinfo.version=v1.4.0
//	    -X github.com/conecta-zoho/gateway/internal/buildinfo.commit=0a1b2c3
//	    -X github.com/conecta-zoho/gateway/internal/buildinfo.date=2026-01-31T10:00:00Z" ./cmd/gateway
//
// What the linker left empty comes from the module's build information
// (runtime/debug.ReadBuildInfo): the main module's version when it was
// built with `go install …@version`, and the revision and commit time Go
// stamps into a binary built in a git checkout.
package buildinfo

import (
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
)

// Set with -ldflags -X (see the package comment); empty otherwise.
var (
	version string
	commit  string
	date    string
)

// Info is one build's identity. Fields that nothing provided are
// "unknown" (Version: "devel").
type Info struct {
	Version   string
	Commit    string
	Date      string
	GoVersion string
	// Modified is true when Go recorded uncommitted changes in the checkout.
	Modified bool
}

// Read returns the running binary's Info.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return from(version, commit, date, bi)
}

// from combines the linker's values with the build information bi (nil
// when there is none).
func from(version, commit, date string, bi *debug.BuildInfo) Info {
	i := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	if bi != nil {
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if i.Commit == "" {
					i.Commit = s.Value
				}
			case "vcs.time":
				if i.Date == "" {
					i.Date = s.Value
				}
			case "vcs.modified":
				i.Modified = s.Value == "true"
			}
		}
		if bi.GoVersion != "" {
			i.GoVersion = bi.GoVersion
		}
	}
	if i.Version == "" {
		i.Version = "devel"
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	if i.Date == "" {
		i.Date = "unknown"
	}
	return i
}

// String is the one-line form `gateway version` prints.
func (i Info) String() string {
	commit := i.Commit
	if i.Modified {
		commit += " (modified)"
	}
	return fmt.Sprintf("gateway %s, commit %s, built %s, %s", i.Version, commit, i.Date, i.GoVersion)
}

// LogValue logs the build as a group (version, commit, date, go).
func (i Info) LogValue() slog.Value {
	return slog.GroupValue(slog.String("version", i.Version), slog.String("commit", i.Commit),
		slog.String("date", i.Date), slog.String("go", i.GoVersion), slog.Bool("modified", i.Modified))
}
