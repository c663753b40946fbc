package xsi

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/conecta-zoho/gateway/internal/centrex"
)

// directoryPageSize is the page size asked for; Xsi caps results at 1000.
const directoryPageSize = 1000

// maxDirectoryPages stops a misbehaving server from looping the client
// forever (1000 pages of 1000 seats is far beyond any company).
const maxDirectoryPages = 1000

// groupDirectory is the <Group> response of GET /user/{id}/directories/Group.
type groupDirectory struct {
	StartIndex            int              `xml:"startIndex"`
	NumberOfRecords       int              `xml:"numberOfRecords"`
	TotalAvailableRecords int              `xml:"totalAvailableRecords"`
	Details               []directoryEntry `xml:"groupDirectory>directoryDetails"`
}

// directoryEntry is one <directoryDetails> of a group directory.
type directoryEntry struct {
	UserID     string `xml:"userId"`
	FirstName  string `xml:"firstName"`
	LastName   string `xml:"lastName"`
	GroupID    string `xml:"groupId"`
	Number     string `xml:"number"`
	Extension  string `xml:"extension"`
	Email      string `xml:"additionalDetails>emailAddress"`
	Department string `xml:"additionalDetails>department"`
}

// Seats reads the whole group directory through the connection's directory
// user, following the paging fields until totalAvailableRecords is reached.
// Entries without a userId (virtual entries such as external contacts) are
// skipped: they are not seats.
func (c *Client) Seats(ctx context.Context) ([]centrex.Seat, error) {
	user := c.conn.DirectoryUser()
	op := "xsi: list group directory"
	var seats []centrex.Seat
	start := 1
	for page := 0; page < maxDirectoryPages; page++ {
		q := url.Values{"start": {strconv.Itoa(start)}, "results": {strconv.Itoa(directoryPageSize)}}
		status, header, body, err := c.do(ctx, request{op: op, method: "GET", path: userPath(user, "directories", "Group"), query: q})
		if err != nil {
			return nil, err
		}
		var dir groupDirectory
		if err := decode(op, status, header, body, &dir); err != nil {
			return nil, err
		}
		for _, d := range dir.Details {
			if d.UserID == "" {
				continue
			}
			seats = append(seats, centrex.Seat{
				UserID:     strings.TrimSpace(d.UserID),
				Number:     strings.TrimSpace(d.Number),
				Extension:  strings.TrimSpace(d.Extension),
				FirstName:  strings.TrimSpace(d.FirstName),
				LastName:   strings.TrimSpace(d.LastName),
				Email:      strings.TrimSpace(d.Email),
				Department: strings.TrimSpace(d.Department),
			})
		}
		if dir.StartIndex < 1 {
			dir.StartIndex = start
		}
		next := dir.StartIndex + dir.NumberOfRecords
		if dir.NumberOfRecords <= 0 || len(dir.Details) == 0 || next > dir.TotalAvailableRecords {
			return seats, nil
		}
		start = next
	}
	return nil, &centrex.Error{Op: op, Kind: centrex.ErrUnavailable, Err: fmt.Errorf("more than %d pages", maxDirectoryPages)}
}
