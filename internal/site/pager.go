package site

import (
	"strconv"

	"github.com/conecta-zoho/gateway/web"
)

// Pages is how many pages of size hold total items (at least one).
func Pages(total, size int) int { return max(1, (total+size-1)/size) }

// Pager builds "Previo 1 … 4 5 6 … 12 Siguiente" for page (1-based) of a
// list of total items, size per page; urlFor gives a page's URL.
func Pager(page, size, total int, urlFor func(page int) string) web.Pager {
	var p web.Pager
	last := Pages(total, size)
	if page > 1 {
		p.PrevURL = urlFor(page - 1)
	}
	if page < last {
		p.NextURL = urlFor(page + 1)
	}
	for n := 1; n <= last; n++ {
		near := n == 1 || n == last || (n >= page-2 && n <= page+2)
		switch {
		case near:
			p.Pages = append(p.Pages, web.PageLink{Number: n, URL: urlFor(n), Current: n == page})
		case len(p.Pages) > 0 && !p.Pages[len(p.Pages)-1].Gap:
			p.Pages = append(p.Pages, web.PageLink{Gap: true})
		}
	}
	return p
}

// PageParam reads a 1-based page number; anything else is page 1.
func PageParam(v string) int {
	if n, err := strconv.Atoi(v); err == nil && n > 1 {
		return n
	}
	return 1
}
