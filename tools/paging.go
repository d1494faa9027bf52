package tools

import (
	"context"

	"github.com/okta-mcp/okta-mcp/okta"
	"strconv"
	"strings"

	"github.com/okta-mcp/okta-mcp/pagination"
)

// resumeCursor decodes a next_cursor of tool: the query it carries, whose
// "after" is always set.
func resumeCursor(tool, cursor string) (map[string]string, error) {
	q, err := pagination.Decode(tool, cursor)
	if err != nil {
		return nil, argError("next_cursor: %v", err)
	}
	if q["after"] == "" {
		return nil, argError("next_cursor: holds no page position; start again without next_cursor")
	}
	return q, nil
}

// pageLimit applies a paged tool's default and range to limit.
func pageLimit(limit, def, max int) (int, error) {
	if limit == 0 {
		return def, nil
	}
	if limit < 1 || limit > max {
		return 0, argError("limit: %d is out of range; valid values are 1 to %d", limit, max)
	}
	return limit, nil
}

// cursorQuery is the query a next_cursor carries: after, limit, fields
// and the tool's own parameters (empty ones left out).
func cursorQuery(after string, limit int, fields []string, params map[string]string) map[string]string {
	q := map[string]string{"after": after, "limit": strconv.Itoa(limit)}
	for k, v := range params {
		if v != "" {
			q[k] = v
		}
	}
	if len(fields) > 0 {
		q["fields"] = strings.Join(fields, ",")
	}
	return q
}

// resumeFields and resumeLimit restore what a cursor carries unless the
// call gives its own fields.
func resumeFields(q map[string]string, fields []string) []string {
	if len(fields) == 0 && q["fields"] != "" {
		return strings.Split(q["fields"], ",")
	}
	return fields
}

func resumeLimit(q map[string]string) int {
	n, _ := strconv.Atoi(q["limit"])
	return n
}

// sameResource refuses a cursor resumed with a different resource ID.
func sameResource(arg, given, inCursor string) (string, error) {
	if given != "" && given != inCursor {
		return "", argError("next_cursor: it pages %s %s, not %s; omit %s or start again without next_cursor", arg, inCursor, truncate(given), arg)
	}
	return inCursor, nil
}

// relatedSpec is what differs between the lists of one resource's related
// resources (a group's members, a user's groups).
type relatedSpec struct {
	tool, arg string
	example   string // completes "ARG: required (…"
	fields    []string
	def, max  int
	fetch     func(c *okta.Client, ctx context.Context, id, after string, limit int32) (*okta.Response, error)
}

// relatedList runs one page of a related-resource list: the owning ID is
// validated before any request and carried in the cursor, which refuses to
// resume for another ID.
func relatedList(ctx context.Context, c *okta.Client, spec relatedSpec, id string, limit int, cursor string, fields []string) (listResult, error) {
	after := ""
	if cursor != "" {
		q, err := resumeCursor(spec.tool, cursor)
		if err != nil {
			return listResult{}, err
		}
		if id, err = sameResource(spec.arg, id, q[spec.arg]); err != nil {
			return listResult{}, err
		}
		limit, fields, after = resumeLimit(q), resumeFields(q, fields), q["after"]
	}
	if id == "" {
		return listResult{}, argError("%s: required (%s", spec.arg, spec.example)
	}
	if err := checkID(spec.arg, id); err != nil {
		return listResult{}, err
	}
	limit, err := pageLimit(limit, spec.def, spec.max)
	if err != nil {
		return listResult{}, err
	}
	proj, err := newProjection(spec.fields, fields)
	if err != nil {
		return listResult{}, err
	}
	resp, err := spec.fetch(c, ctx, id, after, int32(limit))
	if err != nil {
		return listResult{}, err
	}
	out, err := projectList(resp, proj, limit)
	if err != nil {
		return listResult{}, err
	}
	if resp.NextAfter != "" {
		out.NextCursor = pagination.Encode(spec.tool, cursorQuery(resp.NextAfter, limit, fields, map[string]string{spec.arg: id}))
	}
	return out, nil
}
