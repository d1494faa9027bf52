package tools

import (
	"context"

	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/pagination"
)

// searchArgs are the arguments of the searchable list tools (users, groups).
type searchArgs struct {
	Search, Filter, Q string
	Limit             int
	NextCursor        string
	Fields            []string
}

// searchSpec is what differs between the searchable list tools.
type searchSpec struct {
	tool   string
	fields []string // the compact projection
	def    int      // default page size
	qDef   int      // default page size with q (Okta's; q cannot be paged)
	max    int
	fetch  func(*okta.Client, context.Context, okta.SearchQuery) (*okta.Response, error)
}

// searchList runs one page of a searchable list: q, search or filter, a
// cursor that carries the whole query, and compact items.
func searchList(ctx context.Context, c *okta.Client, spec searchSpec, in searchArgs) (listResult, error) {
	after := ""
	if in.NextCursor != "" {
		q, err := resumeCursor(spec.tool, in.NextCursor)
		if err != nil {
			return listResult{}, err
		}
		in.Search, in.Filter, in.Q, in.Limit = q["search"], q["filter"], "", resumeLimit(q)
		in.Fields = resumeFields(q, in.Fields)
		after = q["after"]
	}
	def := spec.def
	if in.Q != "" {
		def = spec.qDef
	}
	limit, err := pageLimit(in.Limit, def, spec.max)
	if err != nil {
		return listResult{}, err
	}
	switch {
	case in.Search != "" && in.Filter != "":
		return listResult{}, argError("search and filter cannot be combined; put the whole condition in search")
	case in.Q != "" && (in.Search != "" || in.Filter != ""):
		return listResult{}, argError("q cannot be combined with search or filter; use search (e.g. with sw) instead")
	}
	for name, v := range map[string]string{"search": in.Search, "filter": in.Filter, "q": in.Q} {
		if err := checkQueryText(name, v); err != nil {
			return listResult{}, err
		}
	}
	proj, err := newProjection(spec.fields, in.Fields)
	if err != nil {
		return listResult{}, err
	}
	resp, err := spec.fetch(c, ctx, okta.SearchQuery{Q: in.Q, Search: in.Search, Filter: in.Filter, After: after, Limit: int32(limit)})
	if err != nil {
		return listResult{}, err
	}
	out, err := projectList(resp, proj, limit)
	if err != nil {
		return listResult{}, err
	}
	if resp.NextAfter != "" && in.Q == "" {
		out.NextCursor = pagination.Encode(spec.tool, cursorQuery(resp.NextAfter, limit, in.Fields, map[string]string{"search": in.Search, "filter": in.Filter}))
	}
	return out, nil
}
