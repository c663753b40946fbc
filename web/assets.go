package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

//go:embed static
var static embed.FS

// Static is the static asset tree (app.css, app.js, images), rooted at static/.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time: cannot fail
	}
	return sub
}

var assetVersions = sync.OnceValue(func() map[string]string {
	versions := map[string]string{}
	_ = fs.WalkDir(Static(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static(), path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		versions[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	return versions
})

// Asset returns the URL of a static file with a content hash, so browsers can
// cache it for long and still see a new version at once.
func Asset(name string) string {
	return "/static/" + name + "?v=" + assetVersions()[name]
}
